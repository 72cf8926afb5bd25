import Table from 'cli-table3';

/** What a CLI command touches of the outside world; tests pass their own. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  /** Writes one line (or block) to stdout. */
  out(text: string): void;
  /** Writes one line to stderr. */
  err(text: string): void;
  fetch: typeof globalThis.fetch;
  /** Whether stdout is a terminal (human-readable logs and the banner); default false. */
  terminal?: boolean;
  /** Reads all of stdin (`keys verify -`, and where secrets are passed, never on the command line); absent: stdin is not readable. */
  readStdin?: () => Promise<string>;
}

/** Compact JSON on one line, for scripts (`jq` pretty-prints). */
export const printJson = (io: CliIo, value: unknown): void => io.out(JSON.stringify(value));

export interface Column<T> {
  header: string;
  value: (row: T) => string;
}

/** Borderless columns, no colours (output is often piped or grepped), as `kubectl get` and `gh` print. */
const style = { head: [], border: [], 'padding-left': 0, 'padding-right': 2 };
const chars = Object.fromEntries(
  [
    'top',
    'top-mid',
    'top-left',
    'top-right',
    'bottom',
    'bottom-mid',
    'bottom-left',
    'bottom-right',
    'left',
    'left-mid',
    'mid',
    'mid-mid',
    'right',
    'right-mid',
    'middle',
  ].map((name) => [name, '']),
);

const render = (table: Table.Table): string =>
  table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');

/** A table with one row per item; an empty list prints a short note instead. */
export function printTable<T>(
  io: CliIo,
  rows: readonly T[],
  columns: readonly Column<T>[],
  empty = 'nothing yet',
): void {
  if (rows.length === 0) {
    io.out(`(${empty})`);
    return;
  }
  const table = new Table({ head: columns.map((c) => c.header.toUpperCase()), style, chars });
  for (const row of rows) table.push(columns.map((c) => c.value(row)));
  io.out(render(table));
}

/** A two-column table of one record's fields. */
export function printRecord<T>(io: CliIo, row: T, columns: readonly Column<T>[]): void {
  const table = new Table({ style, chars });
  for (const column of columns) table.push({ [`${column.header}:`]: column.value(row) });
  io.out(render(table));
}

/** Epoch ms (or an ISO string) as an ISO timestamp; `-` when absent. */
export const formatTime = (value: unknown): string => {
  if (typeof value === 'number') return new Date(value).toISOString();
  if (typeof value === 'string' && value !== '') return value;
  return '-';
};

export const formatText = (value: unknown): string => {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(formatText).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

const DURATION_UNITS: ReadonlyArray<[string, number]> = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** Milliseconds in the largest unit that divides them exactly: 60000 → `1m`, 1500 → `1500ms`. */
export const formatDuration = (ms: number): string => {
  const unit = DURATION_UNITS.find(([, size]) => ms > 0 && ms % size === 0);
  return unit ? `${ms / unit[1]}${unit[0]}` : `${ms}ms`;
};

/** Rate limits as `requests 100/1m, burst 10/1s`. */
export const formatLimits = (
  limits: ReadonlyArray<{ name: string; limit: number; duration: number }>,
): string =>
  limits.length === 0
    ? '-'
    : limits.map((l) => `${l.name} ${l.limit}/${formatDuration(l.duration)}`).join(', ');
