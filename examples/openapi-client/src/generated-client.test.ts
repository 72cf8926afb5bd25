import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig, type RunningServer, startServer } from '@keyward/server';
import { seedWorkspace } from '@keyward/server/testing';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * keyward's OpenAPI document as a client generator sees it: openapi-typescript turns the
 * document of a running `keyward serve` into types, the TypeScript that generator users
 * have (5.x) type-checks `usage/client.ts` against them (including calls it must refuse),
 * and the typed client then runs against the same server.
 */
const EXAMPLE = path.resolve(import.meta.dirname, '..');
const require = createRequire(path.join(EXAMPLE, 'package.json'));
const run = promisify(execFile);

interface UsageModule {
  walkthrough(
    baseUrl: string,
    rootKey: string,
    prefix: string,
  ): Promise<{ keyId: string; code: string; notFound: { status: number; code: string } }>;
}

let dataDir: string;
let server: RunningServer;
let rootKey: string;
/** Inside the example, so that `openapi-fetch` and `@types/node` resolve as they do for the usage file. */
let work: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'keyward-openapi-client-'));
  const config = loadConfig({ KEYWARD_DATA_DIR: dataDir, KEYWARD_PORT: '0', KEYWARD_LOG_LEVEL: 'silent' });
  server = await startServer(config);
  rootKey = (await seedWorkspace(config)).rootKey;
  work = path.join(EXAMPLE, `.typecheck-${randomBytes(4).toString('hex')}`);
  await mkdir(work);
  const response = await fetch(`${server.url}/openapi.json`);
  expect(response.status).toBe(200);
  // `defaultNonNullable: false` (CLI: `--default-non-nullable false`): openapi-typescript 7
  // otherwise makes every request field that has a default (`gracePeriodMs`, a rate limit's
  // `algorithm`) required, a known generator issue; replies are unaffected.
  const types = astToString(await openapiTS(await response.text(), { defaultNonNullable: false }));
  await writeFile(path.join(work, 'keyward-api.ts'), types);
  await copyFile(path.join(EXAMPLE, 'usage', 'client.ts'), path.join(work, 'client.ts'));
  await writeFile(
    path.join(work, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2023',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      files: ['client.ts', 'keyward-api.ts'],
    }),
  );
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

describe('a client generated with openapi-typescript', () => {
  it('names operations and schemas, and type-checks the usage file with TypeScript 5', async () => {
    const types = await readFile(path.join(work, 'keyward-api.ts'), 'utf8');
    expect(types).toMatch(/^\s+createKey: \{$/m);
    expect(types).toMatch(/^\s+KeyView: \{$/m);
    expect(types).toContain('"application/problem+json": components["schemas"]["Problem"]');

    const tsc = require.resolve('typescript/bin/tsc');
    const checked = await run(process.execPath, [tsc, '-p', work], { cwd: work }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? '' }),
    );
    expect(checked).toEqual({ code: 0, output: '' });
  }, 120_000);

  it('runs against the server it was generated from', async () => {
    // Imported by URL: the root type check must not follow it (its generated types exist only here).
    const { walkthrough } = (await import(pathToFileURL(path.join(work, 'client.ts')).href)) as UsageModule;
    const result = await walkthrough(server.url, rootKey, `t${randomBytes(3).toString('hex')}`);
    expect(result.keyId).toMatch(/^key_/);
    expect(result.code).toBe('VALID');
    expect(result.notFound).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});
