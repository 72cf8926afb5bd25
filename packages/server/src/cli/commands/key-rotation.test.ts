import type { ApiView, IssuedKey, KeyRotationView } from '@keyward/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTestServer, startCliTestServer } from '../test-cli-server.js';

let t: CliTestServer;

beforeAll(async () => {
  t = await startCliTestServer();
});
afterAll(async () => {
  await t?.close();
});

describe('keyward keys rotation', () => {
  it('shows the roll, extends and ends its grace period', async () => {
    const api = await t.json<ApiView>(['apis', 'create', '--name', 'Rotation', '--prefix', 'rot_live']);
    const key = await t.json<IssuedKey>(['keys', 'create', '--api', api.id]);
    const none = await t.keyward(['keys', 'rotation', key.id]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^state:\s+none$/m);

    await t.json(['keys', 'roll', key.id, '--grace', '1h']);
    const table = await t.keyward(['keys', 'rotation', key.id]);
    expect(table.stdout).toMatch(/^state:\s+grace$/m);
    expect(table.stdout).toMatch(/^old \(previous\)\s+0\s/m);

    const before = await t.json<KeyRotationView>(['keys', 'rotation', key.id]);
    const extended = await t.json<KeyRotationView>(['keys', 'rotation', key.id, '--extend', '2h']);
    expect(extended.graceUntil).toBe((before.graceUntil ?? 0) + 2 * 3_600_000);

    await t.fails(
      ['keys', 'rotation', key.id, '--extend', '1h', '--end'],
      '--extend and --end cannot be combined',
    );
    const ended = await t.json<KeyRotationView>(['keys', 'rotation', key.id, '--end']);
    expect(ended.state).toBe('ended');
    await t.fails(['keys', 'rotation', key.id, '--end'], /\(HTTP 409\)$/);
  });
});
