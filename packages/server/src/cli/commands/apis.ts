import type { ApiView, LifetimePolicyBody, LifetimePolicyView } from '@keyward/protocol';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { addPageOptions, type PageOptions, printPage, withServer } from '../http-command.js';
import { type CliIo, type Column, formatTime, printJson, printRecord } from '../output.js';
import { parseCount } from '../parse-options.js';

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

const days = (value: number | null) => (value === null ? 'none' : `${value} days`);
const lifetimeDetail: Column<LifetimePolicyView>[] = [
  { header: 'api', value: (p) => p.apiId },
  { header: 'mode', value: (p) => p.mode },
  { header: 'max ttl', value: (p) => days(p.maxTtlDays) },
  { header: 'rotate after', value: (p) => days(p.rotateAfterDays) },
  { header: 'rotation grace', value: (p) => days(p.rotationGraceDays) },
  { header: 'idle disable after', value: (p) => days(p.idleDisableAfterDays) },
  { header: 'remind before', value: (p) => days(p.remindBeforeDays) },
  { header: 'updated', value: (p) => formatTime(p.updatedAt) },
];

interface LifetimeOptions {
  maxTtlDays?: string;
  rotateAfterDays?: string;
  rotationGraceDays?: string;
  idleDisableAfterDays?: string;
  remindBeforeDays?: string;
  mode?: string;
  delete?: boolean;
}

/** `--max-ttl-days 90` (or `none`): whole days, at least `min`. */
const daysOption = (raw: string | undefined, flag: string, min: number): number | null | undefined => {
  if (raw === undefined) return undefined;
  return raw.trim() === 'none' ? null : parseCount(raw, flag, min);
};

/** The policy body of the flags given; null when none was (show the policy). */
function lifetimeBody(options: LifetimeOptions): LifetimePolicyBody | null {
  const body: LifetimePolicyBody = {};
  const maxTtlDays = daysOption(options.maxTtlDays, '--max-ttl-days', 1);
  const rotateAfterDays = daysOption(options.rotateAfterDays, '--rotate-after-days', 1);
  const idleDisableAfterDays = daysOption(options.idleDisableAfterDays, '--idle-disable-after-days', 1);
  if (maxTtlDays !== undefined) body.maxTtlDays = maxTtlDays;
  if (rotateAfterDays !== undefined) body.rotateAfterDays = rotateAfterDays;
  if (idleDisableAfterDays !== undefined) body.idleDisableAfterDays = idleDisableAfterDays;
  if (options.rotationGraceDays !== undefined)
    body.rotationGraceDays = parseCount(options.rotationGraceDays, '--rotation-grace-days');
  if (options.remindBeforeDays !== undefined)
    body.remindBeforeDays = parseCount(options.remindBeforeDays, '--remind-before-days');
  if (options.mode !== undefined) {
    if (options.mode !== 'enforce' && options.mode !== 'dry-run')
      throw new CliError(`--mode must be enforce or dry-run (got "${options.mode}")`);
    body.mode = options.mode;
  }
  return Object.keys(body).length === 0 ? null : body;
}

/** `keyward apis create|list|get|delete|lifetime`. */
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
    .command('lifetime')
    .description(
      "show or replace an API's key lifetime policy (flags left out take their defaults: none, 0, enforce)",
    )
    .argument('<id>', 'API id (api_...)')
    .option('--max-ttl-days <days>', 'new keys expire within this many days (none: no maximum)')
    .option('--rotate-after-days <days>', 'secrets older than this get a rotation warning (none: never)')
    .option('--rotation-grace-days <days>', 'days after that until the key is disabled (default 0)')
    .option('--idle-disable-after-days <days>', 'disable keys unused this long (none: never)')
    .option(
      '--remind-before-days <days>',
      'reminders (alerts, webhooks) this many days ahead (default 0: none)',
    )
    .option('--mode <mode>', 'enforce or dry-run (dry-run: nothing refused, usage records wouldDeny)')
    .option('--delete', 'remove the policy')
    .action((id: string, options: LifetimeOptions, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        if (options.delete) {
          await client.lifetimePolicies.delete(id);
          if (json) printJson(io, { apiId: id, deleted: true });
          else io.out(`removed the lifetime policy of ${id}`);
          return;
        }
        const body = lifetimeBody(options);
        const policy =
          body === null ? await client.lifetimePolicies.get(id) : await client.lifetimePolicies.put(id, body);
        if (json) printJson(io, policy);
        else printRecord(io, policy, lifetimeDetail);
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
