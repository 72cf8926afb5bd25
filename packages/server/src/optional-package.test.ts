import { describe, expect, it } from 'vitest';
import { rootCause } from './cli/cli-error.js';
import { loadOptionalPackage, missingPackageOf } from './optional-package.js';

// Real failed imports (not hand-made errors), so the test follows what Node reports.
const importNamed = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ specifier);
const failureOf = async (specifier: string): Promise<unknown> =>
  importNamed(specifier).then(
    () => {
      throw new Error(`${specifier} imported`);
    },
    (error: unknown) => error,
  );

describe('missingPackageOf', () => {
  it('names the package of a failed bare, subpath or scoped import', async () => {
    expect(missingPackageOf(await failureOf('keyward-absent-driver'))).toBe('keyward-absent-driver');
    expect(missingPackageOf(await failureOf('keyward-absent-driver/lib/client.js'))).toBe(
      'keyward-absent-driver',
    );
    expect(missingPackageOf(await failureOf('@keyward-absent/driver/sub'))).toBe('@keyward-absent/driver');
  });

  it('is null for any other failure', () => {
    expect(missingPackageOf(new Error("Cannot find package 'pg'"))).toBeNull(); // no code: not Node's
    expect(missingPackageOf('pg')).toBeNull();
  });
});

describe('loadOptionalPackage', () => {
  it('says which setting needs the missing package and how to install it', async () => {
    const failure = loadOptionalPackage('keyward-absent-driver', 'KEYWARD_DATABASE_URL', () =>
      importNamed('keyward-absent-driver'),
    );
    await expect(failure).rejects.toThrow(
      'KEYWARD_DATABASE_URL needs the "keyward-absent-driver" package, which is not installed: run `npm install keyward-absent-driver`',
    );
  });

  it('keeps its words as the root cause the CLI prints (`keyward: cannot use ...: <cause>`)', async () => {
    const failure = await loadOptionalPackage('keyward-absent-driver', 'KEYWARD_DATABASE_URL', () =>
      importNamed('keyward-absent-driver'),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(rootCause(new Error('opening the database failed', { cause: failure }))).toContain(
      'run `npm install keyward-absent-driver`',
    );
  });

  it('passes a different missing package through unchanged', async () => {
    const failure = loadOptionalPackage('pg', 'KEYWARD_DATABASE_URL', () =>
      importNamed('keyward-absent-driver'),
    );
    await expect(failure).rejects.toMatchObject({
      code: 'ERR_MODULE_NOT_FOUND',
      message: expect.stringContaining("Cannot find package 'keyward-absent-driver'"),
    });
  });

  it('resolves with the module when the package is there', async () => {
    const yaml = await loadOptionalPackage('yaml', 'the test', () => import('yaml'));
    expect(yaml.parse('a: 1')).toEqual({ a: 1 });
  });
});
