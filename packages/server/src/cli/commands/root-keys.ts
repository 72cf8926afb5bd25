import { API_PERMISSION_PATTERN, ROOT_PERMISSIONS, type RootKeyView } from '@keyward/protocol';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { addPageOptions, type PageOptions, printPage, withServer } from '../http-command.js';
import { type CliIo, type Column, formatText, formatTime, printJson, printRecord } from '../output.js';
import { collect } from '../parse-options.js';

const columns: Column<RootKeyView>[] = [
  { header: 'id', value: (k) => k.id },
  { header: 'hint', value: (k) => k.hint },
  { header: 'name', value: (k) => formatText(k.name) },
  { header: 'permissions', value: (k) => formatText(k.permissions) },
  { header: 'status', value: (k) => (k.revokedAt === null ? 'active' : 'revoked') },
  { header: 'created', value: (k) => formatTime(k.createdAt) },
];

const API_PERMISSION = new RegExp(API_PERMISSION_PATTERN);
const isRootPermission = (value: string): boolean =>
  (ROOT_PERMISSIONS as readonly string[]).includes(value) || API_PERMISSION.test(value);

/** `keyward root-keys create|list|revoke`: admin credentials of the workspace. */
export function registerRootKeyCommands(program: Command, io: CliIo): void {
  const rootKeys = program.command('root-keys').description('root keys: admin credentials of this workspace');

  rootKeys
    .command('create')
    .description('create a root key (printed once); give it only the permissions it needs')
    .requiredOption(
      '--permission <permission>',
      `repeatable: ${ROOT_PERMISSIONS.join(', ')}, or api.<apiId>.keys:read|keys:write|keys:verify for one API`,
      collect,
    )
    .option('--name <name>', 'what or who uses it')
    .action((options: { permission: string[]; name?: string }, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const unknown = options.permission.filter((p) => !isRootPermission(p));
        if (unknown.length > 0) {
          throw new CliError(`unknown root key permission ${unknown.map((p) => `"${p}"`).join(', ')}`);
        }
        const created = await client.rootKeys.create({
          permissions: options.permission,
          ...(options.name ? { name: options.name } : {}),
        });
        if (json) {
          printJson(io, created);
          return;
        }
        io.out(`Created root key ${created.id}. It is shown ONCE: store it in your secret manager now.`);
        io.out('');
        io.out(`  ${created.key}`);
        io.out('');
        const { key: _plaintext, ...view } = created;
        printRecord(io, view, columns);
      }),
    );

  addPageOptions(rootKeys.command('list').description('list root keys (never their secrets)')).action(
    (options: PageOptions, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        printPage(io, json, await client.rootKeys.list(options), columns, 'keyward root-keys list');
      }),
  );

  rootKeys
    .command('revoke')
    .description('revoke a root key: it stops working at once')
    .argument('<id>', 'root key id (rk_...)')
    .action((id: string, _options: unknown, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const revoked = await client.rootKeys.revoke(id);
        if (json) printJson(io, revoked);
        else io.out(`revoked ${revoked.id} (${revoked.hint})`);
      }),
    );
}
