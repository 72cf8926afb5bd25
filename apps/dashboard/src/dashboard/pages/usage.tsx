import type { UsageSeries } from '@keyward/protocol';
import { lazy, Suspense, useMemo, useState } from 'react';
import { query } from '../../shared/api.js';
import { formatNumber } from '../../shared/format.js';
import { toColumns, topGroups } from '../../shared/usage-data.js';
import { DAY, HOUR, useGet } from '../hooks.js';
import { Loaded, PageHead } from '../ui.js';

const UsageChart = lazy(() => import('../../shared/usage-chart.js'));

const RANGES: Array<[string, number, 'minute' | 'hour' | 'day']> = [
  ['Last hour', HOUR, 'minute'],
  ['Last 24 hours', DAY, 'hour'],
  ['Last 7 days', 7 * DAY, 'hour'],
  ['Last 30 days', 30 * DAY, 'day'],
];
const GROUPS = ['outcome', 'key', 'consumer'] as const;

/** Verifications over a range, bucketed and grouped, with a CSV download of the same series. */
export default function UsagePage() {
  const [range, setRange] = useState(1);
  const [groupBy, setGroupBy] = useState<(typeof GROUPS)[number]>('outcome');
  const [, span, defaultGranularity] = RANGES[range] ?? RANGES[1] ?? ['', DAY, 'hour'];
  const [granularity, setGranularity] = useState<'minute' | 'hour' | 'day' | ''>('');
  const now = useMemo(() => Math.floor(Date.now() / 60_000) * 60_000, []);
  const params = { from: now - span, to: now, granularity: granularity || defaultGranularity, groupBy };
  const usage = useGet<UsageSeries>(`/v1/usage${query(params)}`);
  const groupOf = useMemo(
    () => (p: { outcome?: string; keyId?: string | null; consumerId?: string | null }) =>
      (groupBy === 'outcome' ? p.outcome : groupBy === 'key' ? p.keyId : p.consumerId) ?? 'none',
    [groupBy],
  );
  const columns = useMemo(() => (usage.data ? toColumns(usage.data, groupOf) : null), [usage.data, groupOf]);
  return (
    <>
      <PageHead
        title="Usage"
        intro="Every verification, counted by outcome, key or consumer."
        actions={
          <a className="button" href={`/v1/usage${query({ ...params, format: 'csv' })}`} download>
            Download CSV
          </a>
        }
      />
      <div className="card">
        <div className="toolbar">
          <label className="field">
            <span>Range</span>
            <select value={range} onChange={(e) => setRange(Number(e.target.value))}>
              {RANGES.map(([label], i) => (
                <option key={label} value={i}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Granularity</span>
            <select
              value={granularity}
              onChange={(e) => setGranularity(e.target.value as typeof granularity)}
            >
              <option value="">automatic ({defaultGranularity})</option>
              <option value="minute">minute</option>
              <option value="hour">hour</option>
              <option value="day">day</option>
            </select>
          </label>
          <label className="field">
            <span>Group by</span>
            <select value={groupBy} onChange={(e) => setGroupBy(e.target.value as (typeof GROUPS)[number])}>
              {GROUPS.map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </label>
        </div>
        <Loaded query={usage}>
          {(series) =>
            columns === null ? null : (
              <>
                <Suspense fallback={<p className="muted">Loading chart…</p>}>
                  <UsageChart columns={columns} label={`Verifications by ${groupBy}`} height={300} />
                </Suspense>
                <h2>Totals</h2>
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">{groupBy}</th>
                      <th scope="col">Verifications</th>
                    </tr>
                  </thead>
                  <tbody>
                    {topGroups(series, groupOf, 20).map((g) => (
                      <tr key={g.name}>
                        <td className="mono">{g.name}</td>
                        <td>{formatNumber(g.count)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )
          }
        </Loaded>
      </div>
    </>
  );
}
