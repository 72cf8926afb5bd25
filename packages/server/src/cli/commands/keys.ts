import type { CreateKeyBody, IssuedKey, KeyView, ListKeysQuery } from '@keyward/protocol';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
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
import {
  collect,
  parseCount,
  parseDuration,
  parseExpires,
  parseMeta,
  parseRateLimit,
} from '../parse-options.js';
import { registerKeyRotationCommand } from './key-rotation.js';
import { registerKeyUpdateCommand } from './key-update.js';
import { registerKeyVerifyCommand } from './key-verify.js';

const columns: Column<KeyView>[] = [
  { header: 'id', value: (k) => k.id },
  { header: 'hint', value: (k) => k.hint },
  { header: 'name', value: (k) => formatText(k.name) },
  { header: 'consumer', value: (k) => formatText(k.consumerId) },
  { header: 'status', value: (k) => k.status },
  { header: 'expires', value: (k) => formatTime(k.expiresAt) },
];

const detail: Column<KeyView>[] = [
  ...columns,
  { header: 'api', value: (k) => k.apiId },
  { header: 'permissions', value: (k) => formatText(k.permissions) },
  { header: 'roles', value: (k) => formatText(k.roles) },
  {
    header: 'rate limits',
    value: (k) => formatLimits(k.ratelimits),
  },
  { header: 'credits', value: (k) => formatText(k.credits?.remaining) },
  { header: 'meta', value: (k) => formatText(k.meta) },
  { header: 'created', value: (k) => formatTime(k.createdAt) },
  { header: 'revoked', value: (k) => formatTime(k.revokedAt) },
];

/** Prints a key answer that carries the plaintext: once, with the warning that it is the only time. */
function printIssued(io: CliIo, json: boolean, issued: IssuedKey, what: string): void {
  if (json) {
    printJson(io, issued);
    return;
  }
  io.out(`${what}. The key is shown ONCE (keyward keeps only a digest): hand it over now.`);
  io.out('');
  io.out(`  ${issued.key}`);
  io.out('');
  const { key: _plaintext, ...view } = issued;
  printRecord(io, view, detail);
}

interface CreateOptions {
  api: string;
  consumer?: string;
  externalId?: string;
  name?: string;
  meta?: Record<string, unknown>;
  expires?: string;
  permission?: string[];
  role?: string[];
  ratelimit?: string[];
  credits?: number;
  publishable?: boolean;
}

/** The `POST /v1/keys` body of `keys create`'s flags. */
export function createKeyBody(options: CreateOptions, now: number): CreateKeyBody {
  if (options.consumer && options.externalId)
    throw new CliError('give either --consumer or --external-id, not both');
  return {
    apiId: options.api,
    ...(options.consumer ? { consumerId: options.consumer } : {}),
    ...(options.externalId ? { externalId: options.externalId } : {}),
    ...(options.name ? { name: options.name } : {}),
    ...(options.meta ? { meta: options.meta } : {}),
    ...(options.expires ? { expiresAt: parseExpires(options.expires, now) } : {}),
    ...(options.permission ? { permissions: options.permission } : {}),
    ...(options.role ? { roles: options.role } : {}),
    ...(options.ratelimit ? { ratelimits: options.ratelimit.map(parseRateLimit) } : {}),
    ...(options.credits === undefined ? {} : { credits: { remaining: options.credits } }),
    ...(options.publishable ? { kind: 'publishable' as const } : {}),
  };
}

/** `keyward keys create|list|get|update|verify|revoke|roll|rotation`. */
export function registerKeyCommands(program: Command, io: CliIo): void {
  const keys = program.command('keys').description("API keys: your customers' credentials");

  keys
    .command('create')
    .description('issue a key (the plaintext is printed once)')
    .requiredOption('--api <id>', 'API the key belongs to (api_...)')
    .option('--consumer <id>', 'owner, by consumer id (con_...)')
    .option('--external-id <id>', 'owner, by your external id (the consumer is created if new)')
    .option('--name <name>', 'display name')
    .option('--meta <json>', 'JSON object returned with every verification', parseMeta)
    .option('--expires <when>', 'a duration from now (30d) or a date (2026-01-31)')
    .option('--permission <permission>', 'permission, repeatable (e.g. sessions:read)', collect)
    .option('--role <role>', 'role name, repeatable', collect)
    .option('--ratelimit <name:limit:duration>', 'rate limit, repeatable (e.g. requests:100:1m)', collect)
    .option('--credits <n>', 'usage quota: verifications left', (raw) => parseCount(raw, '--credits'))
    .option('--publishable', 'a browser key (<prefix>_pub_...): allowed origins and public permissions only')
    .action((options: CreateOptions, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const issued = await client.keys.create(createKeyBody(options, Date.now()));
        printIssued(io, json, issued, `Created ${issued.id}`);
      }),
    );

  addPageOptions(
    keys
      .command('list')
      .description('list keys (never their secrets)')
      .option('--api <id>', 'only keys of this API')
      .option('--consumer <id>', 'only keys of this consumer'),
  ).action((options: PageOptions & { api?: string; consumer?: string }, command: Command) =>
    withServer(io, command, async ({ client, json }) => {
      const { api, consumer, ...page } = options;
      const query: ListKeysQuery = {
        ...page,
        ...(api ? { apiId: api } : {}),
        ...(consumer ? { consumerId: consumer } : {}),
      };
      printPage(io, json, await client.keys.list(query), columns, 'keyward keys list');
    }),
  );

  keys
    .command('get')
    .description('show one key')
    .argument('<id>', 'key id (key_...)')
    .action((id: string, _options: unknown, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const key = await client.keys.get(id);
        if (json) printJson(io, key);
        else printRecord(io, key, detail);
      }),
    );

  keys
    .command('revoke')
    .description('revoke a key: it stops verifying at once, for good')
    .argument('<id>', 'key id (key_...)')
    .action((id: string, _options: unknown, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const key = await client.keys.revoke(id);
        if (json) printJson(io, key);
        else io.out(`revoked ${key.id} (${key.hint})`);
      }),
    );

  keys
    .command('report-leak')
    .description(
      "report keys found exposed, one per line on stdin (never as arguments: they would land in shell history); each is acted on by the workspace's leakedKeys policy",
    )
    .option('--found-at <url>', 'where they were found (a URL)')
    .option('--source <name>', 'which scanner or process found them (e.g. gitleaks)')
    .action((options: { foundAt?: string; source?: string }, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        if (io.readStdin === undefined) throw new CliError('report-leak reads the keys from stdin');
        const found = (await io.readStdin())
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter((line) => line !== '');
        if (found.length === 0) throw new CliError('no key on stdin: pipe the keys in, one per line');
        const result = await client.keys.reportLeak({
          keys: found.map((key) => ({
            key,
            ...(options.foundAt ? { url: options.foundAt } : {}),
            ...(options.source ? { source: options.source } : {}),
          })),
        });
        if (json) {
          printJson(io, result);
          return;
        }
        if (result.replayed) io.out('reported before: nothing done again');
        result.items.forEach((item, i) => {
          const what = item.keyId === null ? 'not a key of this workspace' : `${item.keyId}: ${item.action}`;
          io.out(`line ${i + 1} (sha256 ${item.keyHash.slice(0, 12)}…): ${what}`);
        });
      }),
    );

  keys
    .command('roll')
    .description('issue a new secret for a key; the old one keeps verifying for the grace period')
    .argument('<id>', 'key id (key_...)')
    .option(
      '--grace <duration>',
      'how long the old secret stays valid (e.g. 1h, 7d; default: it stops at once)',
    )
    .action((id: string, options: { grace?: string }, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const body = options.grace ? { gracePeriodMs: parseDuration(options.grace, '--grace') } : {};
        printIssued(io, json, await client.keys.roll(id, body), `Rolled ${id}`);
      }),
    );

  registerKeyRotationCommand(keys, io);
  registerKeyUpdateCommand(keys, io, detail);
  registerKeyVerifyCommand(keys, io);
}
