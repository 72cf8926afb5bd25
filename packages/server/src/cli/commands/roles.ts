import type { RoleView } from '@keyward/protocol';
import type { Command } from 'commander';
import { addPageOptions, type PageOptions, printPage, withServer } from '../http-command.js';
import { type CliIo, type Column, formatText, formatTime, printJson, printRecord } from '../output.js';
import { collect } from '../parse-options.js';

const columns: Column<RoleView>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'name', value: (r) => r.name },
  { header: 'permissions', value: (r) => formatText(r.permissions) },
  { header: 'description', value: (r) => formatText(r.description) },
  { header: 'created', value: (r) => formatTime(r.createdAt) },
];

/** `keyward roles create|list`. */
export function registerRoleCommands(program: Command, io: CliIo): void {
  const roles = program.command('roles').description('roles: named bundles of permissions for keys');

  roles
    .command('create')
    .description('create a role')
    .requiredOption('--name <name>', 'role name (unique; keys refer to it with keys create --role)')
    .requiredOption('--permission <permission>', 'permission, repeatable (e.g. chargers:*)', collect)
    .option('--description <text>', 'what the role is for')
    .action((options: { name: string; permission: string[]; description?: string }, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const role = await client.roles.create({
          name: options.name,
          permissions: options.permission,
          ...(options.description ? { description: options.description } : {}),
        });
        if (json) printJson(io, role);
        else printRecord(io, role, columns);
      }),
    );

  addPageOptions(roles.command('list').description('list roles')).action(
    (options: PageOptions, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        printPage(io, json, await client.roles.list(options), columns, 'keyward roles list');
      }),
  );
}
