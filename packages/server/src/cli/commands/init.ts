import type { Store, Workspace } from '@keyward/core';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { keywardCommand } from '../banner.js';
import { CliError } from '../cli-error.js';
import { openMigratedDatabase } from '../database.js';
import { type CliIo, printJson } from '../output.js';

interface InitOptions {
  name: string;
  workspace?: string;
  newWorkspace?: boolean;
}

/**
 * `keyward init`: creates a workspace and a root key with `*` directly on the configured
 * database (works whether or not a server runs: SQLite WAL and PostgreSQL both allow it),
 * and prints the root key once. On a database that already has a workspace it refuses
 * (a second `init` would silently create a second, empty workspace) and names the command
 * for a new root key, unless `--new-workspace` asks for another workspace on purpose.
 * `--workspace <id>` issues a fresh root key for an existing workspace instead, the way
 * back in when every root key is lost.
 */
export function registerInitCommand(program: Command, io: CliIo): void {
  program
    .command('init')
    .description('create a workspace and its first root key (printed once)')
    .option('--name <name>', 'workspace name', 'default')
    .option('--workspace <id>', 'issue a new root key for this existing workspace instead')
    .option('--new-workspace', 'create another workspace although the database has one already')
    .action(async (options: InitOptions, command: Command) => {
      const { json } = command.optsWithGlobals<{ json?: boolean }>();
      if (options.workspace && options.newWorkspace) {
        throw new CliError('give either --workspace (a new root key) or --new-workspace, not both');
      }
      const config = loadConfig(io.env);
      const { createEngine } = await import('@keyward/core');
      const { issueRootKey } = await import('../../root-keys.js');
      const database = await openMigratedDatabase(config);
      const { store } = database;
      const engine = createEngine({ store, ...(config.pepper ? { pepper: config.pepper.reveal() } : {}) });
      let result: { workspace: Workspace; plaintext: string };
      try {
        const workspace = options.workspace
          ? await existingWorkspace(store, options.workspace)
          : await newWorkspace(store, options, keywardCommand(io.env));
        const { plaintext } = await issueRootKey(
          { store, engine },
          {
            workspaceId: workspace.id,
            name: options.workspace ? 'recovery (keyward init)' : 'init',
            permissions: ['*'],
          },
        );
        result = { workspace, plaintext };
      } finally {
        await engine.close();
        await database.close();
      }

      if (json) {
        printJson(io, { rootKey: result.plaintext, workspaceId: result.workspace.id });
        return;
      }
      const verb = options.workspace ? 'Issued a new root key for' : 'Created';
      io.out(
        `${verb} workspace ${result.workspace.id} ("${result.workspace.name}") in ${database.description}.`,
      );
      io.out('');
      io.out('Root key (all permissions). It is shown ONCE: store it in your secret manager now.');
      io.out('');
      io.out(`  ${result.plaintext}`);
      io.out('');
      io.out('Use it from a shell without putting it in your history (paste when asked):');
      io.out('  read -rs KEYWARD_ROOT_KEY && export KEYWARD_ROOT_KEY');
      io.out(`  ${keywardCommand(io.env)} apis create --name "My API" --prefix my_api`);
    });
}

/** A new workspace, unless the database has one and `--new-workspace` was not given. */
async function newWorkspace(store: Store, options: InitOptions, keyward: string): Promise<Workspace> {
  if (!options.newWorkspace) {
    const [first, ...others] = await store.workspaces.list();
    if (first !== undefined) {
      const which = others.length === 0 ? `a workspace (${first.id})` : `${others.length + 1} workspaces`;
      throw new CliError(
        `this database already has ${which}: for a new root key run \`${keyward} init --workspace ${first.id}\` ` +
          `(or \`${keyward} root-keys create\` with a root key); add --new-workspace to create another workspace`,
      );
    }
  }
  return createWorkspace(store, options.name);
}

async function createWorkspace(store: Store, name: string): Promise<Workspace> {
  const { newId } = await import('@keyward/core');
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200) throw new CliError('--name must be 1-200 characters');
  const workspace: Workspace = { id: newId('ws'), name: trimmed, createdAt: Date.now() };
  await store.workspaces.create(workspace);
  await store.audit.append({
    id: newId('evt'),
    workspaceId: workspace.id,
    actor: 'cli',
    action: 'workspace.create',
    targetType: 'workspace',
    targetId: workspace.id,
    before: null,
    after: { id: workspace.id, name: workspace.name, createdAt: workspace.createdAt },
    ip: null,
    requestId: null,
    createdAt: workspace.createdAt,
  });
  return workspace;
}

async function existingWorkspace(store: Store, id: string): Promise<Workspace> {
  const workspace = await store.workspaces.get(id);
  if (!workspace) throw new CliError(`no workspace ${id} in this database`);
  return workspace;
}
