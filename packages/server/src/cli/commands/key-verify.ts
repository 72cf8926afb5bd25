import type { VerifyKeyBody, VerifyKeyResponse } from '@keyward/protocol';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { withServer } from '../http-command.js';
import { type CliIo, type Column, formatText, formatTime, printJson, printRecord } from '../output.js';
import { collect, parseCount } from '../parse-options.js';

interface VerifyOptions {
  api?: string;
  permission?: string;
  cost?: number;
  ratelimit?: string[];
  ip?: string;
  tag?: string[];
}

const columns: Column<VerifyKeyResponse>[] = [
  { header: 'valid', value: (r) => (r.valid ? 'yes' : 'no') },
  { header: 'code', value: (r) => r.code },
  { header: 'key', value: (r) => formatText(r.keyId) },
  { header: 'api', value: (r) => formatText(r.apiId) },
  {
    header: 'consumer',
    value: (r) => (r.consumer ? `${r.consumer.externalId} (${r.consumer.id})` : '-'),
  },
  { header: 'permissions', value: (r) => formatText(r.permissions) },
  { header: 'roles', value: (r) => formatText(r.roles) },
  { header: 'credits', value: (r) => formatText(r.credits?.remaining) },
  {
    header: 'rate limits',
    value: (r) =>
      r.ratelimits.length === 0
        ? '-'
        : r.ratelimits.map((l) => `${l.name} ${l.remaining}/${l.limit} left`).join(', '),
  },
  { header: 'retry after', value: (r) => (r.retryAfterMs === null ? '-' : `${r.retryAfterMs} ms`) },
  { header: 'expires', value: (r) => formatTime(r.expiresAt) },
];

/** `--ratelimit name` or `name:cost`. */
const parseLimitCost = (raw: string): { name: string; cost?: number } => {
  const [name = '', cost, ...rest] = raw.split(':');
  if (name === '' || rest.length > 0) {
    throw new CliError(
      `--ratelimit must be a limit's name, optionally with a cost: requests or requests:5 (got "${raw}")`,
    );
  }
  return cost === undefined ? { name } : { name, cost: parseCount(cost, `--ratelimit ${name} cost`) };
};

/** The key to check: the argument, or stdin for `-` (or none), so that it need not sit in shell history. */
async function keyToCheck(io: CliIo, argument: string | undefined): Promise<string> {
  if (argument !== undefined && argument !== '-') return argument;
  if (io.readStdin === undefined)
    throw new CliError('give the key as an argument, or - to read it from stdin');
  const key = (await io.readStdin()).trim();
  if (key === '' || key.includes('\n')) throw new CliError('stdin must hold exactly one key (one line)');
  return key;
}

/** The `POST /v1/keys/verify` body of `keys verify`'s flags. */
export function verifyKeyBody(key: string, options: VerifyOptions): VerifyKeyBody {
  return {
    key,
    ...(options.api ? { apiId: options.api } : {}),
    ...(options.permission ? { permissions: options.permission } : {}),
    ...(options.cost === undefined ? {} : { credits: { cost: options.cost } }),
    ...(options.ratelimit ? { ratelimits: options.ratelimit.map(parseLimitCost) } : {}),
    ...(options.ip ? { ip: options.ip } : {}),
    ...(options.tag ? { tags: options.tag } : {}),
  };
}

/**
 * `keyward keys verify [key]`: what your backend asks on each request, from the shell. It
 * spends what a real verification spends (rate limits, credits) and is recorded as usage.
 * Prints the answer (never the key); exits 1 when the key is not valid.
 */
export function registerKeyVerifyCommand(keys: Command, io: CliIo): void {
  keys
    .command('verify')
    .description('verify a key as your backend does (spends rate limits and credits like a real call)')
    .argument('[key]', 'the key; - or nothing: read it from stdin (keeps it out of shell history)')
    .option('--api <id>', 'only valid for this API (api_...)')
    .option('--permission <query>', 'required permissions, e.g. "sessions:read AND chargers:read"')
    .option('--cost <n>', 'credits this call costs (default 1 where the key has a quota)', (raw) =>
      parseCount(raw, '--cost'),
    )
    .option('--ratelimit <name[:cost]>', 'limit to apply, repeatable (default: all of them, cost 1)', collect)
    .option('--ip <address>', "the caller's IP address, checked against the key's allowed IPs")
    .option('--tag <tag>', 'label recorded with the usage event, repeatable', collect)
    .action((argument: string | undefined, options: VerifyOptions, command: Command) =>
      withServer(
        io,
        command,
        async ({ client, json }) => {
          const result = await client.keys.verify(verifyKeyBody(await keyToCheck(io, argument), options));
          if (json) printJson(io, result);
          else printRecord(io, result, columns);
          if (!result.valid) throw new CliError(`the key is not valid: ${result.code}`);
        },
        { fields: { 'body.credits.cost': '--cost', 'body.key': '<key>' } },
      ),
    );
}
