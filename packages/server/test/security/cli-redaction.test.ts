import { describe, expect, it } from 'vitest';
import { reportFailure } from '../../src/cli/program.js';

describe('the CLI never prints a secret in an error', () => {
  it('redacts keys, credential parameters and Bearer tokens from failure lines', () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (line: string) => void err.push(line), env: {} };
    const key = 'amp_live_0123456789abcdefghijABCDEFGHIJ012345';
    reportFailure(
      io as never,
      new Error(`GET http://k/v1/x?access_token=legacy-Tok3n failed: Bearer ${key}`),
    );
    expect(err.join('\n')).not.toMatch(/legacy-Tok3n|amp_live_0123/);
    expect(err.join('\n')).toContain('[redacted]');
  });
});
