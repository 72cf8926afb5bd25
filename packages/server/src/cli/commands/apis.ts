import type { ApiView } from '@keyward/protocol';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { addPageOptions, type PageOptions, printPage, withServer } from '../http-command.js';
import { type CliIo, type Column, formatTime, printJson, printRecord } from '../output.js';

const columns: Column<ApiView>[] = [
  { header: 'id', value: (api) => api.id },
  { header: 'name', value: (api) => api.name },
  { header: 'prefix', value: (api) => api.prefix },
  { header: 'created', value: (api) => formatTime(api.createdAt) },
];

const detail: Column<ApiView>[] = [
  ...columns,
  { header: 'key pattern', value: (api) => api.keyPattern },
  { header: 'updated', value: (api) => formatTime(api.updatedAt) },
];

/** `keyward apis create|list|get|delete`. */
export function registerApiCommands(program: Command, io: CliIo): void {
  const apis = program.command('apis').description('APIs: each protects one of your APIs and owns its keys');

  apis
    .command('create')
    .description('create an API')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--prefix <prefix>', 'key prefix, [a-z][a-z0-9_]{1,15}: keys look like <prefix>_...')
    .action((options: { name: string; prefix: string }, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const api = await client.apis.create({ name: options.name, prefix: options.prefix });
        if (json) printJson(io, api);
        else printRecord(io, api, detail);
      }),
    );

  addPageOptions(apis.command('list').description('list APIs')).action(
    (options: PageOptions, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        printPage(io, json, await client.apis.list(options), columns, 'keyward apis list');
      }),
  );

  apis
    .command('get')
    .description('show one API')
    .argument('<id>', 'API id (api_...)')
    .action((id: string, _options: unknown, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const api = await client.apis.get(id);
        if (json) printJson(io, api);
        else printRecord(io, api, detail);
      }),
    );

  apis
    .command('delete')
    .description('delete an API and ALL its keys (they stop verifying at once)')
    .argument('<id>', 'API id (api_...)')
    .option('--yes', 'confirm that every key of this API is deleted too')
    .action((id: string, options: { yes?: boolean }, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        if (!options.yes) throw new CliError(`deleting ${id} deletes all its keys; add --yes to confirm`);
        await client.apis.delete(id);
        if (json) printJson(io, { id, deleted: true });
        else io.out(`deleted ${id} and its keys`);
      }),
    );
}
