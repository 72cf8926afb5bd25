import type { ApiView } from '@keyward/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTestServer, startCliTestServer } from './test-cli-server.js';

/** `init` on a database that already has a workspace (the harness ran the first `init`). */
let t: CliTestServer;
let workspaceId: string;

beforeAll(async () => {
  t = await startCliTestServer();
  // The harness's workspace, from its audit log.
  const audit = await t.json<{ items: Array<{ targetId: string | null }> }>([
    ...['audit', 'list', '--action', 'workspace.create'],
  ]);
  workspaceId = audit.items[0]?.targetId ?? '';
  expect(workspaceId).toMatch(/^ws_/);
});
afterAll(async () => {
  await t?.close();
});

const refusal = (which: string, id: string) =>
  `this database already has ${which}: for a new root key run \`keyward init --workspace ${id}\` ` +
  '(or `keyward root-keys create` with a root key); add --new-workspace to create another workspace';

describe('init on a database that has a workspace', () => {
  it('refuses, naming the command for a new root key, and creates nothing', async () => {
    await t.fails(['init'], refusal(`a workspace (${workspaceId})`, workspaceId));
    // Refused again with the same words: the first refusal created no second workspace.
    await t.fails(
      ['init', '--name', 'other', '--json'],
      refusal(`a workspace (${workspaceId})`, workspaceId),
    );
  });

  it('names the command as the user runs keyward (npm run, npx)', async () => {
    const run = await t.keyward(['init'], { npm_lifecycle_event: 'keyward' });
    expect(run.stderr).toContain(`\`npm run keyward -- init --workspace ${workspaceId}\``);
  });

  it('follows its own advice: --workspace gives a new root key for the same workspace', async () => {
    const recovered = await t.json<{ rootKey: string; workspaceId: string }>([
      'init',
      '--workspace',
      workspaceId,
    ]);
    expect(recovered.workspaceId).toBe(workspaceId);
    const mine = await t.keyward(['apis', 'list', '--json'], { KEYWARD_ROOT_KEY: recovered.rootKey });
    expect(mine.code).toBe(0);
  });

  it('creates another workspace with --new-workspace, then counts them', async () => {
    const second = await t.json<{ rootKey: string; workspaceId: string }>([
      ...['init', '--name', 'second', '--new-workspace'],
    ]);
    expect(second.workspaceId).not.toBe(workspaceId);
    const theirs = await t.keyward(['apis', 'list', '--json'], { KEYWARD_ROOT_KEY: second.rootKey });
    expect((JSON.parse(theirs.stdout) as { items: ApiView[] }).items).toEqual([]);
    await t.fails(
      ['init'],
      /^keyward: this database already has 2 workspaces: for a new root key run `keyward init --workspace ws_/,
    );
  });

  it('refuses --workspace with --new-workspace', async () => {
    await t.fails(
      ['init', '--workspace', workspaceId, '--new-workspace'],
      'give either --workspace (a new root key) or --new-workspace, not both',
    );
  });
});
