import { createEngine, newId } from '@keyward/core';
import type { Config } from '../config.js';
import { issueRootKey } from '../root-keys.js';
import { openDatabase } from '../start-dependencies.js';

/** Migrates the configured database and creates a workspace with a `*` root key (what `keyward init` does). */
export async function seedWorkspace(config: Config): Promise<{ workspaceId: string; rootKey: string }> {
  const database = await openDatabase(config);
  const engine = createEngine({
    store: database.store,
    ...(config.pepper ? { pepper: config.pepper.reveal() } : {}),
  });
  try {
    await database.migrate();
    const workspaceId = newId('ws');
    await database.store.workspaces.create({ id: workspaceId, name: 'tests', createdAt: Date.now() });
    const { plaintext } = await issueRootKey(
      { store: database.store, engine },
      { workspaceId, name: 'tests', permissions: ['*'] },
    );
    return { workspaceId, rootKey: plaintext };
  } finally {
    await engine.close();
    await database.close();
  }
}
