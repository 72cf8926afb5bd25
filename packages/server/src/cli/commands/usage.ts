import type { KeyUsageView, UsageGroupBy, UsagePoint, UsageQuery, UsageSeries } from '@keyward/protocol';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { withServer } from '../http-command.js';
import { type CliIo, formatTime, printJson, printTable } from '../output.js';
import { parseDuration } from '../parse-options.js';

const GRANULARITIES = ['minute', 'hour', 'day'] as const;
const GROUPS: Record<string, UsageGroupBy> = { outcome: 'outcome', key: 'key', consumer: 'consumer' };
const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/** Columns of the sparkline and of the longest bar. */
const CHART_WIDTH = 60;
const BAR_WIDTH = 40;

/**
 * `--from` / `--to`: `now`, a duration ago (`90m`, `24h`, `7d`), a date or time
 * (`2030-01-31`, `2030-01-31T12:00:00Z`), or epoch ms; as epoch ms.
 *
 * @example parseWhen('24h', Date.UTC(2030, 0, 2), '--from') // Date.UTC(2030, 0, 1)
 */
export function parseWhen(raw: string, now: number, flag: string): number {
  const text = raw.trim();
  if (text === 'now') return now;
  if (/^\d+(ms|s|m|h|d|w)$/.test(text)) return now - parseDuration(text, flag);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) return at;
  } else if (/^\d{10,16}$/.test(text)) return Number(text);
  throw new CliError(
    `${flag} must be now, a duration ago like 24h, a date like 2030-01-31, or epoch ms (got "${raw}")`,
  );
}

const groupValue = (point: UsagePoint, groupBy: UsageGroupBy): string => {
  const value = groupBy === 'outcome' ? point.outcome : groupBy === 'key' ? point.keyId : point.consumerId;
  return value ?? (groupBy === 'key' ? '(no key)' : groupBy === 'consumer' ? '(no consumer)' : '-');
};

/** Bucket totals (all groups summed), every bucket of the range, zeros included. */
export function bucketTotals(series: UsageSeries): number[] {
  const size = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[series.granularity];
  const totals = new Array<number>(Math.max(0, Math.round((series.to - series.from) / size))).fill(0);
  for (const point of series.series) {
    const index = Math.floor((point.start - series.from) / size);
    if (index >= 0 && index < totals.length) totals[index] = (totals[index] ?? 0) + point.count;
  }
  return totals;
}

/** One line of block characters; buckets are summed into at most `width` columns; a blank column had no traffic. */
export function sparkline(values: readonly number[], width = CHART_WIDTH): string {
  const per = Math.max(1, Math.ceil(values.length / width));
  const columns: number[] = [];
  for (let i = 0; i < values.length; i += per)
    columns.push(values.slice(i, i + per).reduce((a, b) => a + b, 0));
  const max = Math.max(0, ...columns);
  return columns
    .map((v) =>
      v === 0 ? ' ' : SPARKS[Math.min(SPARKS.length - 1, Math.ceil((v / max) * SPARKS.length) - 1)],
    )
    .join('');
}

/** Horizontal bars of each group's total, longest first. */
export function bars(totals: ReadonlyMap<string, number>, width = BAR_WIDTH): string[] {
  const rows = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const max = Math.max(1, ...rows.map(([, n]) => n));
  const label = Math.max(...rows.map(([name]) => name.length), 0);
  return rows.map(
    ([name, n]) =>
      `${name.padEnd(label)}  ${'█'.repeat(Math.max(n > 0 ? 1 : 0, Math.round((n / max) * width)))} ${n}`,
  );
}

function printUsage(
  io: CliIo,
  series: UsageSeries,
  groupBy: UsageGroupBy | undefined,
  keyUsage: KeyUsageView | null,
) {
  const withTraffic = series.series.filter((p) => p.count > 0);
  const columns = [
    { header: 'start', value: (p: UsagePoint) => formatTime(p.start) },
    ...(groupBy === undefined ? [] : [{ header: groupBy, value: (p: UsagePoint) => groupValue(p, groupBy) }]),
    { header: 'count', value: (p: UsagePoint) => String(p.count) },
  ];
  printTable(io, withTraffic, columns, 'no verifications in this range');
  const totals = bucketTotals(series);
  const total = totals.reduce((a, b) => a + b, 0);
  io.out('');
  io.out(
    `${total} verifications, ${formatTime(series.from)} to ${formatTime(series.to)}, per ${series.granularity}`,
  );
  if (total > 0) {
    io.out(`|${sparkline(totals)}|  peak ${Math.max(...totals)} per ${series.granularity}`);
    if (groupBy !== undefined) {
      const byGroup = new Map<string, number>();
      for (const p of withTraffic)
        byGroup.set(groupValue(p, groupBy), (byGroup.get(groupValue(p, groupBy)) ?? 0) + p.count);
      for (const line of bars(byGroup)) io.out(line);
    }
  }
  if (keyUsage !== null) {
    io.out(
      `key ${keyUsage.keyId}: last used ${formatTime(keyUsage.lastUsedAt)}, last valid ${formatTime(keyUsage.lastValidAt)}, ` +
        `${keyUsage.requests} requests (${keyUsage.valid} valid) since its first use`,
    );
  }
}

interface UsageOptions {
  api?: string;
  key?: string;
  consumer?: string;
  from?: string;
  to?: string;
  granularity: string;
  groupBy?: string;
}

/** `keyward usage`: verifications over time as a table and a terminal chart (or `--json`). */
export function registerUsageCommand(program: Command, io: CliIo): void {
  program
    .command('usage')
    .description('verifications over time, by outcome, key or consumer (a table and a chart)')
    .option('--api <id>', 'only keys of this API')
    .option('--key <id>', 'only this key (also prints its last use and totals)')
    .option('--consumer <id>', "only this consumer's keys")
    .option('--from <when>', 'start: a duration ago (24h, 7d), a date, or epoch ms (default: one chart back)')
    .option('--to <when>', 'end (exclusive): now (default), a duration ago, a date, or epoch ms')
    .option('--granularity <g>', 'bucket: minute, hour or day', 'hour')
    .option('--group-by <g>', 'split by outcome, key or consumer')
    .action((options: UsageOptions, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        const granularity = GRANULARITIES.find((g) => g === options.granularity);
        if (granularity === undefined) {
          throw new CliError(`--granularity must be minute, hour or day (got "${options.granularity}")`);
        }
        const groupBy = options.groupBy === undefined ? undefined : GROUPS[options.groupBy];
        if (options.groupBy !== undefined && groupBy === undefined) {
          throw new CliError(`--group-by must be outcome, key or consumer (got "${options.groupBy}")`);
        }
        const now = Date.now();
        const query: Omit<UsageQuery, 'format'> = {
          granularity,
          ...(options.api ? { apiId: options.api } : {}),
          ...(options.key ? { keyId: options.key } : {}),
          ...(options.consumer ? { consumerId: options.consumer } : {}),
          ...(options.from ? { from: parseWhen(options.from, now, '--from') } : {}),
          ...(options.to ? { to: parseWhen(options.to, now, '--to') } : {}),
          ...(groupBy ? { groupBy } : {}),
        };
        const series = await client.usage.query(query);
        const keyUsage = options.key ? await client.usage.key(options.key) : null;
        if (json) printJson(io, keyUsage === null ? series : { ...series, key: keyUsage });
        else printUsage(io, series, groupBy, keyUsage);
      }),
    );
}
