import type { ConsumerView, CreateConsumerBody } from '@keyward/protocol';
import type { Command } from 'commander';
import { addPageOptions, type PageOptions, printPage, withServer } from '../http-command.js';
import {
  type CliIo,
  type Column,
  formatLimits,
  formatText,
  formatTime,
  printJson,
  printRecord,
} from '../output.js';
import { parseMeta } from '../parse-options.js';

const columns: Column<ConsumerView>[] = [
  { header: 'id', value: (c) => c.id },
  { header: 'external id', value: (c) => c.externalId },
  { header: 'name', value: (c) => formatText(c.name) },
  { header: 'created', value: (c) => formatTime(c.createdAt) },
];

const detail: Column<ConsumerView>[] = [
  ...columns,
  { header: 'meta', value: (c) => formatText(c.meta) },
  {
    header: 'rate limits',
    value: (c) => formatLimits(c.ratelimits),
  },
  { header: 'credits', value: (c) => formatText(c.credits?.remaining) },
];

interface CreateOptions {
  externalId: string;
  name?: string;
  meta?: Record<string, unknown>;
}

/** `keyward consumers create|list|get|delete`. */
export function registerConsumerCommands(program: Command, io: CliIo): void {
  const consumers = program.command('consumers').description('consumers: your customers, who own keys');

  consumers
    .command('create')
    .description('create a consumer')
    .requiredOption('--external-id <id>', 'your own id for this customer (unique)')
    .option('--name <name>', 'display name')
    .option('--meta <json>', 'JSON object stored with the consumer', parseMeta)
    .action((options: CreateOptions, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const body: CreateConsumerBody = {
          externalId: options.externalId,
          ...(options.name ? { name: options.name } : {}),
          ...(options.meta ? { meta: options.meta } : {}),
        };
        const consumer = await client.consumers.create(body);
        if (json) printJson(io, consumer);
        else printRecord(io, consumer, detail);
      }),
    );

  addPageOptions(consumers.command('list').description('list consumers')).action(
    (options: PageOptions, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        printPage(io, json, await client.consumers.list(options), columns, 'keyward consumers list');
      }),
  );

  consumers
    .command('get')
    .description('show one consumer')
    .argument('<id>', 'consumer id (con_...)')
    .action((id: string, _options: unknown, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const consumer = await client.consumers.get(id);
        if (json) printJson(io, consumer);
        else printRecord(io, consumer, detail);
      }),
    );

  consumers
    .command('delete')
    .description('delete a consumer (its keys keep working, without an owner)')
    .argument('<id>', 'consumer id (con_...)')
    .action((id: string, _options: unknown, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        await client.consumers.delete(id);
        if (json) printJson(io, { id, deleted: true });
        else io.out(`deleted ${id}`);
      }),
    );
}
