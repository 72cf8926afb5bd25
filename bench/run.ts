import { parseArgs } from 'node:util';
import { machineLine, type Row, renderTable } from './harness.js';

/**
 * `npm run bench`: every benchmark group, each row next to a baseline measured in the same
 * run, printed as one Markdown table (paste it into bench/RESULTS.md with the machine line).
 * `--only core,http,...` picks groups (`soak` and `key-scale` take minutes and run only when named); `--quick` shortens every measurement (a smoke run,
 * not a result).
 */
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});

const quick = values.quick === true;
// Each group is loaded only when it runs: `--only core` needs none of the others' dependencies.
const groups: Record<string, () => Promise<Row[]>> = {
  core: async () => (await import('./core.js')).runCoreBench({ durationMs: quick ? 500 : 3000 }),
  http: async () => (await import('./http.js')).runHttpBench(quick ? { durationSec: 2, rounds: 1 } : {}),
  middleware: async () =>
    (await import('./middleware.js')).runMiddlewareBench(
      quick ? { durationSec: 2, warmupSec: 1, rounds: 1 } : {},
    ),
  usage: async () => (await import('./usage.js')).runUsageBench(quick ? { durationMs: 500 } : {}),
  gateway: async () => (await import('./gateway.js')).runGatewayBench(quick ? { durationSec: 2 } : {}),
  dashboard: async () =>
    (await import('./dashboard-tti.js')).runDashboardBench(quick ? { keys: 10_000, rounds: 3 } : {}),
  'keys-page': async () =>
    (await import('./keys-page.js')).runKeysPageBench(quick ? { keys: 10_000, rounds: 5 } : {}),
  scale: async () =>
    (await import('./scale.js')).runScaleBench(
      quick ? { durationMs: 500, durationSec: 2, trials: 30, rounds: 1 } : {},
    ),
  peers: async () =>
    (await import('./peers.js')).runPeersBench(quick ? { durationMs: 300, durationSec: 2, rounds: 1 } : {}),
  // Bulk-loads a million keys into SQLite and PostgreSQL: minutes, only when named.
  'key-scale': async () =>
    (await import('./key-scale.js')).runKeyScaleBench(
      quick
        ? {
            sizes: [1_000, 20_000],
            samples: 500,
            durationMs: 500,
            cachedKeys: 5_000,
            unknownKeys: 8_000,
            unknownCacheMax: 1_000,
          }
        : {},
    ),
  // Ten minutes by design (issue 13): only when named, `npm run bench -- --only soak`.
  soak: async () =>
    (await import('./soak.js')).runSoakBench(
      quick ? { durationSec: 20, sliceSec: 10, peakSec: 3, keys: 20 } : {},
    ),
};
const ONLY_WHEN_NAMED = new Set(['soak', 'key-scale']);

const selected =
  values.only === undefined
    ? Object.keys(groups).filter((name) => !ONLY_WHEN_NAMED.has(name))
    : values.only.split(',').map((s) => s.trim());
const rows: Row[] = [];
for (const name of selected) {
  const run = groups[name];
  if (run === undefined) {
    console.error(`bench: unknown group "${name}" (known: ${Object.keys(groups).join(', ')})`);
    process.exit(2);
  }
  console.error(`bench: running ${name}…`);
  rows.push(...(await run()));
}
console.log(
  `Machine: ${machineLine()}; load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
console.log(renderTable(rows));
