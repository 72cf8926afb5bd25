import type { AlertPage, UsageSeries } from '@keyward/protocol';
import { lazy, Suspense, useMemo } from 'react';
import { Link } from 'wouter';
import { query } from '../../shared/api.js';
import { formatNumber, formatRelative } from '../../shared/format.js';
import { toColumns, topGroups } from '../../shared/usage-data.js';
import { DAY, useGet } from '../hooks.js';
import { allows, useSession } from '../session.js';
import { Loaded, PageHead, Stat, StatusBadge } from '../ui.js';

const UsageChart = lazy(() => import('../../shared/usage-chart.js'));

/** Rounded to the minute, so that the cache key holds still while the page is open. */
const minuteNow = () => Math.floor(Date.now() / 60_000) * 60_000;

function TopList({
  title,
  items,
  link,
}: {
  title: string;
  items: Array<{ name: string; count: number }>;
  link: (name: string) => string | null;
}) {
  return (
    <section className="card" aria-labelledby={`top-${title}`}>
      <h2 id={`top-${title}`}>{title}</h2>
      {items.length === 0 ? (
        <p className="empty">No traffic in the last 7 days.</p>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Verifications</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => {
              const href = link(item.name);
              return (
                <tr key={item.name}>
                  <td className="mono">{href === null ? item.name : <Link href={href}>{item.name}</Link>}</td>
                  <td>{formatNumber(item.count)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Verifications of the last 24 hours by outcome, the busiest keys and consumers of the week, open alerts. */
export function OverviewPage() {
  const { data: session } = useSession();
  const now = useMemo(minuteNow, []);
  const canUsage = allows(session, 'usage:read');
  const day = useGet<UsageSeries>(
    canUsage
      ? `/v1/usage${query({ granularity: 'hour', groupBy: 'outcome', from: now - DAY, to: now })}`
      : null,
  );
  const byKey = useGet<UsageSeries>(
    canUsage
      ? `/v1/usage${query({ granularity: 'day', groupBy: 'key', from: now - 7 * DAY, to: now })}`
      : null,
  );
  const byConsumer = useGet<UsageSeries>(
    canUsage
      ? `/v1/usage${query({ granularity: 'day', groupBy: 'consumer', from: now - 7 * DAY, to: now })}`
      : null,
  );
  const alerts = useGet<AlertPage>(allows(session, 'alerts:read') ? '/v1/alerts?status=open&limit=5' : null);
  const columns = useMemo(
    () => (day.data ? toColumns(day.data, (p) => p.outcome ?? 'total') : null),
    [day.data],
  );
  const total = columns?.groups.reduce((sum, g) => sum + g.counts.reduce((a, b) => a + b, 0), 0) ?? 0;
  const valid = columns?.groups.find((g) => g.name === 'VALID')?.counts.reduce((a, b) => a + b, 0) ?? 0;
  return (
    <>
      <PageHead title="Overview" intro={`Workspace ${session?.workspace.name ?? ''}: the last 24 hours.`} />
      <div className="stats">
        <Stat label="Verifications (24 h)" value={formatNumber(total)} />
        <Stat label="Valid" value={total === 0 ? '—' : `${Math.round((valid / total) * 1000) / 10}%`} />
        <Stat label="Refused" value={formatNumber(total - valid)} />
        <Stat label="Open alerts" value={alerts.data ? formatNumber(alerts.data.items.length) : '—'} />
      </div>
      <section className="card" aria-labelledby="verifications">
        <h2 id="verifications">Verifications by outcome</h2>
        {!canUsage ? (
          <p className="muted">This root key cannot read usage.</p>
        ) : (
          <Loaded query={day}>
            {() =>
              columns === null ? null : (
                <Suspense fallback={<p className="muted">Loading chart…</p>}>
                  <UsageChart columns={columns} label="Verifications in the last 24 hours by outcome" />
                </Suspense>
              )
            }
          </Loaded>
        )}
      </section>
      <div className="grid">
        <TopList
          title="Top keys"
          items={byKey.data ? topGroups(byKey.data, (p) => p.keyId ?? null, 5) : []}
          link={(id) => `/keys/${id}`}
        />
        <TopList
          title="Top consumers"
          items={byConsumer.data ? topGroups(byConsumer.data, (p) => p.consumerId ?? null, 5) : []}
          link={() => null}
        />
      </div>
      <section className="card" aria-labelledby="open-alerts">
        <h2 id="open-alerts">Open alerts</h2>
        {!allows(session, 'alerts:read') ? <p className="muted">This root key cannot read alerts.</p> : null}
        {allows(session, 'alerts:read') ? (
          <Loaded query={alerts} empty={(page) => page.items.length === 0}>
            {(page) => (
              <ul>
                {page.items.map((alert) => (
                  <li key={alert.id}>
                    <StatusBadge status={alert.severity} /> {alert.summary}{' '}
                    <span className="muted">({formatRelative(alert.updatedAt)})</span>
                  </li>
                ))}
              </ul>
            )}
          </Loaded>
        ) : null}
        <p>
          <Link href="/alerts">All alerts</Link>
        </p>
      </section>
    </>
  );
}
