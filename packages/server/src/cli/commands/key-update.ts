import type { KeyView, UpdateKeyBody } from '@keyward/protocol';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { withServer } from '../http-command.js';
import { type CliIo, type Column, printJson, printRecord } from '../output.js';
import { collect, parseCount, parseExpires, parseMeta, parseRateLimit } from '../parse-options.js';

interface UpdateOptions {
  name?: string;
  clearName?: boolean;
  meta?: Record<string, unknown>;
  permission?: string[];
  clearPermissions?: boolean;
  role?: string[];
  ratelimit?: string[];
  clearRatelimits?: boolean;
  credits?: number;
  clearCredits?: boolean;
  expires?: string;
  neverExpires?: boolean;
  allowedIp?: string[];
  allowedIpsMode?: 'enforce' | 'dry-run';
  enable?: boolean;
  disable?: boolean;
  reason?: string;
  consumer?: string;
  externalId?: string;
}

/** Flag pairs that contradict each other. */
const EXCLUSIVE: ReadonlyArray<[keyof UpdateOptions, keyof UpdateOptions, string]> = [
  ['name', 'clearName', '--name or --clear-name'],
  ['permission', 'clearPermissions', '--permission or --clear-permissions'],
  ['ratelimit', 'clearRatelimits', '--ratelimit or --clear-ratelimits'],
  ['credits', 'clearCredits', '--credits or --clear-credits'],
  ['expires', 'neverExpires', '--expires or --never-expires'],
  ['enable', 'disable', '--enable or --disable'],
  ['consumer', 'externalId', '--consumer or --external-id'],
];

/** The `PATCH /v1/keys/:id` body of `keys update`'s flags: only what was given changes. */
export function updateKeyBody(options: UpdateOptions, now: number): UpdateKeyBody {
  for (const [a, b, flags] of EXCLUSIVE) {
    if (options[a] !== undefined && options[b] !== undefined)
      throw new CliError(`give either ${flags}, not both`);
  }
  if (options.reason !== undefined && !options.disable) {
    throw new CliError('--reason goes with --disable (why the key is disabled)');
  }
  const body: UpdateKeyBody = {
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.clearName ? { name: null } : {}),
    ...(options.meta !== undefined ? { meta: options.meta } : {}),
    ...(options.permission !== undefined ? { permissions: options.permission } : {}),
    ...(options.clearPermissions ? { permissions: [] } : {}),
    ...(options.role !== undefined ? { roles: options.role } : {}),
    ...(options.ratelimit !== undefined ? { ratelimits: options.ratelimit.map(parseRateLimit) } : {}),
    ...(options.clearRatelimits ? { ratelimits: [] } : {}),
    ...(options.credits !== undefined ? { credits: { remaining: options.credits } } : {}),
    ...(options.clearCredits ? { credits: null } : {}),
    ...(options.expires !== undefined ? { expiresAt: parseExpires(options.expires, now) } : {}),
    ...(options.neverExpires ? { expiresAt: null } : {}),
    ...(options.allowedIp !== undefined ? { allowedIps: options.allowedIp } : {}),
    ...(options.allowedIpsMode !== undefined ? { allowedIpsMode: options.allowedIpsMode } : {}),
    ...(options.enable ? { enabled: true } : {}),
    ...(options.disable ? { enabled: false, disabledReason: options.reason ?? null } : {}),
    ...(options.consumer !== undefined ? { consumerId: options.consumer } : {}),
    ...(options.externalId !== undefined ? { externalId: options.externalId } : {}),
  };
  if (Object.keys(body).length === 0) {
    throw new CliError('nothing to update: give at least one change (see keyward keys update --help)');
  }
  return body;
}

/** `keyward keys update <id>`: changes a key's settings in place (the secret stays the same). */
export function registerKeyUpdateCommand(keys: Command, io: CliIo, detail: readonly Column<KeyView>[]): void {
  keys
    .command('update')
    .description("change a key's settings; flags not given stay as they are (lists are replaced)")
    .argument('<id>', 'key id (key_...)')
    .option('--name <name>', 'display name')
    .option('--clear-name', 'remove the display name')
    .option('--meta <json>', 'JSON object returned with every verification (replaces it)', parseMeta)
    .option('--permission <permission>', 'permission, repeatable: the new list', collect)
    .option('--clear-permissions', 'remove every permission')
    .option('--role <role>', 'role name, repeatable: the new list', collect)
    .option('--ratelimit <name:limit:duration>', 'rate limit, repeatable: the new list', collect)
    .option('--clear-ratelimits', 'remove every rate limit')
    .option('--credits <n>', 'set the remaining credits', (raw) => parseCount(raw, '--credits'))
    .option('--clear-credits', 'remove the quota (unlimited)')
    .option('--expires <when>', 'a duration from now (30d) or a date (2026-01-31)')
    .option('--never-expires', 'remove the expiry')
    .option('--allowed-ip <cidr>', 'allowed caller address or CIDR, repeatable: the new list', collect)
    .option(
      '--allowed-ips-mode <mode>',
      'enforce, or dry-run: addresses outside the list pass and are reported',
      (raw) => {
        if (raw !== 'enforce' && raw !== 'dry-run')
          throw new CliError('--allowed-ips-mode must be enforce or dry-run');
        return raw;
      },
    )
    .option('--enable', 'let the key verify again')
    .option('--disable', 'stop the key from verifying until --enable (reversible, unlike revoke)')
    .option('--reason <text>', 'with --disable: why (shown as disabledReason)')
    .option('--consumer <id>', 'move the key to this consumer (con_...)')
    .option('--external-id <id>', 'move the key to the consumer with this external id')
    .action((id: string, options: UpdateOptions, command: Command) =>
      withServer(
        io,
        command,
        async ({ client, json }) => {
          const key = await client.keys.update(id, updateKeyBody(options, Date.now()));
          if (json) printJson(io, key);
          else printRecord(io, key, detail);
        },
        { fields: { 'body.disabledReason': '--reason' } },
      ),
    );
}
