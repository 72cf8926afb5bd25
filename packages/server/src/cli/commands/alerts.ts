import type { AlertView, ListAlertsQuery } from '@keyward/protocol';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { addPageOptions, type PageOptions, printPage, withServer } from '../http-command.js';
import { type CliIo, type Column, formatTime, printJson, printRecord } from '../output.js';

const STATUSES = ['open', 'acknowledged', 'resolved'] as const;
const DETECTORS = [
  'traffic_spike',
  'ip_spread',
  'new_network',
  'brute_force',
  'credits_low',
  'key_expiring',
  'key_unused',
  'key_lifetime',
  'rotation_grace_ending',
] as const;

const columns: Column<AlertView>[] = [
  { header: 'id', value: (a) => a.id },
  { header: 'status', value: (a) => a.status },
  { header: 'severity', value: (a) => a.severity },
  { header: 'detector', value: (a) => a.detector },
  { header: 'subject', value: (a) => `${a.subject.type} ${a.subject.id}` },
  {
    header: 'summary',
    value: (a) => (a.quarantinedAt === null ? a.summary : `${a.summary} [key quarantined]`),
  },
  { header: 'raised', value: (a) => formatTime(a.createdAt) },
];

const detail: Column<AlertView>[] = [
  ...columns,
  { header: 'last seen', value: (a) => formatTime(a.updatedAt) },
  { header: 'occurrences', value: (a) => String(a.occurrences) },
  {
    header: 'acknowledged',
    value: (a) =>
      a.acknowledgedAt === null ? '-' : `${formatTime(a.acknowledgedAt)} by ${a.acknowledgedBy}`,
  },
  { header: 'evidence', value: (a) => JSON.stringify(a.evidence, null, 2) },
];

interface ListOptions extends PageOptions {
  status?: string;
  detector?: string;
  key?: string;
}

const oneOf = <T extends string>(values: readonly T[], raw: string, flag: string): T => {
  const found = values.find((v) => v === raw);
  if (found === undefined) throw new CliError(`${flag} must be one of ${values.join(', ')} (got "${raw}")`);
  return found;
};

/** `keyward alerts list|show|ack`: what the access-pattern detectors found. */
export function registerAlertCommands(program: Command, io: CliIo): void {
  const alerts = program.command('alerts').description('alerts of the access-pattern detectors');

  addPageOptions(
    alerts
      .command('list')
      .description('alerts, newest first')
      .option('--status <status>', STATUSES.join(', '))
      .option('--detector <name>', DETECTORS.join(', '))
      .option('--key <id>', 'only alerts about this key'),
  ).action((options: ListOptions, command: Command) =>
    withServer(io, command, async ({ client, json }) => {
      const query: ListAlertsQuery = {
        ...(options.status ? { status: oneOf(STATUSES, options.status, '--status') } : {}),
        ...(options.detector ? { detector: oneOf(DETECTORS, options.detector, '--detector') } : {}),
        ...(options.key ? { keyId: options.key } : {}),
        ...(options.limit ? { limit: options.limit } : {}),
        ...(options.cursor ? { cursor: options.cursor } : {}),
      };
      printPage(io, json, await client.alerts.list(query), columns, 'keyward alerts list');
    }),
  );

  alerts
    .command('show <id>')
    .description('one alert with its evidence')
    .action((id: string, _options: unknown, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const alert = await client.alerts.get(id);
        if (json) printJson(io, alert);
        else printRecord(io, alert, detail);
      }),
    );

  alerts
    .command('ack <id>')
    .description('acknowledge an alert (it stays active until its condition clears)')
    .action((id: string, _options: unknown, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const alert = await client.alerts.acknowledge(id);
        if (json) printJson(io, alert);
        else io.out(`alert ${alert.id} ${alert.status}`);
      }),
    );
}
