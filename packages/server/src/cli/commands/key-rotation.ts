import type { CredentialUsageView, KeyRotationView } from '@keyward/protocol';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { withServer } from '../http-command.js';
import { type CliIo, type Column, formatTime, printJson, printRecord, printTable } from '../output.js';
import { parseDuration } from '../parse-options.js';

const roll: Column<KeyRotationView>[] = [
  { header: 'key', value: (r) => r.keyId },
  { header: 'state', value: (r) => r.state },
  { header: 'rolled', value: (r) => formatTime(r.rolledAt) },
  { header: 'grace until', value: (r) => formatTime(r.graceUntil) },
  { header: 'older in grace', value: (r) => String(r.olderInGrace) },
];

interface Row {
  secret: string;
  usage: CredentialUsageView | null;
}

const more = (clients: { distinct: number; capped: boolean }) =>
  `${clients.distinct}${clients.capped ? '+' : ''}`;

const credentials: Column<Row>[] = [
  { header: 'secret', value: (r) => r.secret },
  { header: 'requests', value: (r) => String(r.usage?.requests ?? 0) },
  { header: 'last seen', value: (r) => formatTime(r.usage?.lastSeen ?? null) },
  { header: 'ips', value: (r) => (r.usage === null ? '0' : more(r.usage.ips)) },
  {
    header: 'latest ips',
    value: (r) =>
      r.usage?.ips.recent
        .slice(0, 3)
        .map((c) => c.value)
        .join(', ') || '-',
  },
  {
    header: 'user agents',
    value: (r) =>
      r.usage?.userAgents.recent
        .slice(0, 2)
        .map((c) => c.value)
        .join(', ') || '-',
  },
];

function printRotation(io: CliIo, json: boolean, view: KeyRotationView): void {
  if (json) {
    printJson(io, view);
    return;
  }
  printRecord(io, view, roll);
  if (view.state === 'none') return;
  printTable(
    io,
    [
      { secret: 'old (previous)', usage: view.previous },
      { secret: 'new (current)', usage: view.current },
    ],
    credentials,
  );
}

/** `keyward keys rotation <id> [--extend <duration> | --end]`. */
export function registerKeyRotationCommand(keys: Command, io: CliIo): void {
  keys
    .command('rotation')
    .description("a key's latest roll: who still uses the old secret; extend or end its grace period")
    .argument('<id>', 'key id (key_...)')
    .option('--extend <duration>', 'add this much to the running grace period (e.g. 1h, 2d)')
    .option('--end', 'end the grace period now: the old secret stops verifying')
    .action((id: string, options: { extend?: string; end?: boolean }, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        if (options.extend !== undefined && options.end === true) {
          throw new CliError('--extend and --end cannot be combined');
        }
        let view: KeyRotationView;
        if (options.end === true) view = await client.keys.endGrace(id);
        else if (options.extend !== undefined) {
          const ms = parseDuration(options.extend, '--extend');
          view = await client.keys.extendGrace(id, { extendBySeconds: Math.ceil(ms / 1000) });
        } else view = await client.keys.rotation(id);
        printRotation(io, json, view);
      }),
    );
}
