import type { AuditPage, IssuedKey, KeyUsageView, KeyView, UsageSeries } from '@keyward/protocol';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { api, query } from '../../shared/api.js';
import { ConfirmDialog } from '../../shared/confirm-dialog.js';
import { formatLimit, formatNumber, formatRelative, formatTime } from '../../shared/format.js';
import { SecretDialog } from '../../shared/secret-dialog.js';
import { toColumns } from '../../shared/usage-data.js';
import { DAY, useGet, useRefresh } from '../hooks.js';
import { allows, useSession } from '../session.js';
import { Loaded, PageHead, Pills, StatusBadge } from '../ui.js';

const UsageChart = lazy(() => import('../../shared/usage-chart.js'));

const GRACE_CHOICES: Array<[number, string]> = [
  [0, 'none: the old secret stops at once'],
  [3_600_000, '1 hour'],
  [DAY, '24 hours'],
  [7 * DAY, '7 days'],
];

type Action = 'roll' | 'disable' | 'enable' | 'revoke' | null;

function Facts({ keyView, usage }: { keyView: KeyView; usage: KeyUsageView | undefined }) {
  return (
    <dl className="facts">
      <dt>Hint</dt>
      <dd className="mono">{keyView.hint}</dd>
      <dt>State</dt>
      <dd>
        <StatusBadge status={keyView.status} />
        {keyView.disabledReason ? <span className="muted"> {keyView.disabledReason}</span> : null}
      </dd>
      <dt>Consumer</dt>
      <dd className="mono">{keyView.consumerId ?? '—'}</dd>
      <dt>Permissions</dt>
      <dd>
        <Pills items={keyView.permissions} />
      </dd>
      <dt>Roles</dt>
      <dd>
        <Pills items={keyView.roles} />
      </dd>
      <dt>Rate limits</dt>
      <dd>
        {keyView.ratelimits.length === 0
          ? 'none'
          : keyView.ratelimits.map((l) => `${l.name}: ${formatLimit(l)}`).join(', ')}
      </dd>
      <dt>Credits</dt>
      <dd>
        {keyView.credits === null
          ? 'unlimited'
          : `${formatNumber(keyView.credits.remaining)} left${keyView.credits.refill ? `, refills ${formatNumber(keyView.credits.refill.amount)} ${typeof keyView.credits.refill.interval === 'number' ? `every ${keyView.credits.refill.interval} ms` : keyView.credits.refill.interval}` : ''}`}
      </dd>
      <dt>Allowed IPs</dt>
      <dd>
        <Pills items={keyView.allowedIps.length === 0 ? ['any address'] : keyView.allowedIps} />
      </dd>
      <dt>Expires</dt>
      <dd>{keyView.expiresAt === null ? 'never' : formatTime(keyView.expiresAt)}</dd>
      <dt>Created</dt>
      <dd>{formatTime(keyView.createdAt)}</dd>
      <dt>Last used</dt>
      <dd>{usage ? formatRelative(usage.lastUsedAt) : '—'}</dd>
      <dt>Verifications</dt>
      <dd>{usage ? `${formatNumber(usage.requests)} (${formatNumber(usage.valid)} valid)` : '—'}</dd>
    </dl>
  );
}

/** One key: its settings, its usage, its audit trail, and roll, disable and revoke behind a confirmation. */
export function KeyPage({ id }: { id: string }) {
  const { data: session } = useSession();
  const refresh = useRefresh();
  const key = useGet<KeyView>(`/v1/keys/${id}`);
  const canUsage = allows(session, 'usage:read');
  const usage = useGet<KeyUsageView>(canUsage ? `/v1/keys/${id}/usage` : null);
  const now = useMemo(() => Math.floor(Date.now() / 60_000) * 60_000, []);
  const series = useGet<UsageSeries>(
    canUsage
      ? `/v1/usage${query({ keyId: id, granularity: 'hour', groupBy: 'outcome', from: now - DAY, to: now })}`
      : null,
  );
  const audit = useGet<AuditPage>(
    allows(session, 'audit:read') ? `/v1/audit-events${query({ targetId: id, limit: 20 })}` : null,
  );
  const [action, setAction] = useState<Action>(null);
  const [grace, setGrace] = useState(0);
  const [rolled, setRolled] = useState<IssuedKey | null>(null);
  const columns = useMemo(
    () => (series.data ? toColumns(series.data, (p) => p.outcome ?? 'total') : null),
    [series.data],
  );
  const canWrite = allows(session, 'keys:write');
  const done = async () => {
    setAction(null);
    await refresh('/v1/keys', '/v1/audit-events');
  };
  return (
    <Loaded query={key}>
      {(k) => (
        <>
          <PageHead
            title={k.name ?? 'Unnamed key'}
            intro={<Link href="/keys">All keys</Link>}
            actions={
              canWrite && k.status !== 'revoked' ? (
                <>
                  <button type="button" className="button" onClick={() => setAction('roll')}>
                    Roll
                  </button>
                  {k.enabled ? (
                    <button type="button" className="button" onClick={() => setAction('disable')}>
                      Disable
                    </button>
                  ) : (
                    <button type="button" className="button" onClick={() => setAction('enable')}>
                      Enable
                    </button>
                  )}
                  <button type="button" className="button button-danger" onClick={() => setAction('revoke')}>
                    Revoke
                  </button>
                </>
              ) : undefined
            }
          />
          <div className="grid">
            <section className="card" aria-labelledby="settings">
              <h2 id="settings">Settings</h2>
              <Facts keyView={k} usage={usage.data} />
            </section>
            <section className="card" aria-labelledby="key-usage">
              <h2 id="key-usage">Verifications, last 24 hours</h2>
              {columns === null ? (
                <p className="muted">{canUsage ? 'Loading…' : 'This root key cannot read usage.'}</p>
              ) : (
                <Suspense fallback={<p className="muted">Loading chart…</p>}>
                  <UsageChart
                    columns={columns}
                    label="This key's verifications in the last 24 hours by outcome"
                    height={200}
                  />
                </Suspense>
              )}
            </section>
          </div>
          <section className="card" aria-labelledby="trail">
            <h2 id="trail">Audit trail</h2>
            {audit.data ? (
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Action</th>
                    <th scope="col">By</th>
                  </tr>
                </thead>
                <tbody>
                  {audit.data.items.map((event) => (
                    <tr key={event.id}>
                      <td>{formatTime(event.createdAt)}</td>
                      <td className="mono">{event.action}</td>
                      <td className="mono">{event.actor}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted">
                {allows(session, 'audit:read') ? 'Loading…' : 'This root key cannot read the audit log.'}
              </p>
            )}
          </section>
          {action === 'roll' ? (
            <ConfirmDialog
              title="Roll this key?"
              confirmLabel="Roll key"
              tone="default"
              onClose={() => setAction(null)}
              onConfirm={async () => {
                const issued = await api<IssuedKey>('POST', `/v1/keys/${id}/roll`, { gracePeriodMs: grace });
                setRolled(issued);
                await done();
              }}
            >
              <p>
                A new secret replaces {k.hint}. Your customer must switch to it before the grace period ends.
              </p>
              <label className="field">
                <span>Grace period for the old secret</span>
                <select value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
                  {GRACE_CHOICES.map(([ms, label]) => (
                    <option key={ms} value={ms}>
                      {label}
                    </option>
                  ))}
                </select>
              </label>
            </ConfirmDialog>
          ) : null}
          {action === 'disable' || action === 'enable' ? (
            <ConfirmDialog
              title={action === 'disable' ? 'Disable this key?' : 'Enable this key?'}
              confirmLabel={action === 'disable' ? 'Disable key' : 'Enable key'}
              tone={action === 'disable' ? 'danger' : 'default'}
              onClose={() => setAction(null)}
              onConfirm={async () => {
                await api('PATCH', `/v1/keys/${id}`, { enabled: action === 'enable' });
                await done();
              }}
            >
              <p>
                {action === 'disable'
                  ? 'Verifications of this key fail with DISABLED until you enable it again.'
                  : 'The key verifies again (within its limits).'}
              </p>
            </ConfirmDialog>
          ) : null}
          {action === 'revoke' ? (
            <ConfirmDialog
              title="Revoke this key?"
              confirmLabel="Revoke key"
              typeToConfirm="revoke"
              onClose={() => setAction(null)}
              onConfirm={async () => {
                await api('POST', `/v1/keys/${id}/revoke`);
                await done();
              }}
            >
              <p>
                {k.hint} stops working at once and for good. Anything using it will be refused. This cannot be
                undone.
              </p>
            </ConfirmDialog>
          ) : null}
          {rolled === null ? null : (
            <SecretDialog
              title="Key rolled: the new secret"
              secret={rolled.key}
              onClose={() => setRolled(null)}
            />
          )}
        </>
      )}
    </Loaded>
  );
}
