import type {
  PortalApiView,
  PortalIssuedKey,
  PortalKeyPage,
  PortalKeyView,
  PortalSessionView,
  PortalUsage,
} from '@keyward/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { api, query } from '../shared/api.js';
import { ConfirmDialog } from '../shared/confirm-dialog.js';
import { formatLimit, formatNumber, formatRelative, formatTime } from '../shared/format.js';
import { SecretDialog } from '../shared/secret-dialog.js';
import { toColumns } from '../shared/usage-data.js';
import { CreatePortalKeyDialog } from './create-portal-key.js';

const UsageChart = lazy(() => import('../shared/usage-chart.js'));

const GRACE: Array<[number, string]> = [
  [0, 'none: the old key stops at once'],
  [3_600_000, '1 hour'],
  [86_400_000, '24 hours'],
  [7 * 86_400_000, '7 days'],
];

function usePortalGet<T>(path: string | null) {
  return useQuery<T>({
    queryKey: [path],
    queryFn: ({ signal }) => api<T>('GET', path as string, undefined, signal),
    enabled: path !== null,
  });
}

function Usage({ keyId, label }: { keyId: string | null; label: string }) {
  const usage = usePortalGet<PortalUsage>(`/portal/api/usage${query({ keyId, granularity: 'day' })}`);
  const columns = useMemo(
    () => (usage.data ? toColumns(usage.data, (p) => p.outcome ?? 'total') : null),
    [usage.data],
  );
  const total = columns?.groups.reduce((s, g) => s + g.counts.reduce((a, b) => a + b, 0), 0) ?? 0;
  return (
    <section className="card" aria-labelledby="usage-title">
      <h2 id="usage-title">{label}</h2>
      <p className="muted">{formatNumber(total)} requests in the last 30 days.</p>
      {columns === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <Suspense fallback={<p className="muted">Loading chart…</p>}>
          <UsageChart columns={columns} label={label} height={200} />
        </Suspense>
      )}
    </section>
  );
}

function KeyRow({
  k,
  parent,
  api: offered,
  onRoll,
  onRevoke,
  onShowUsage,
}: {
  k: PortalKeyView;
  /** The key's parent when it is a child key (and the parent is in this list). */
  parent: PortalKeyView | undefined;
  api: PortalApiView | undefined;
  onRoll: () => void;
  onRevoke: () => void;
  onShowUsage: () => void;
}) {
  const live = k.status !== 'revoked';
  return (
    <tr>
      <td>
        {k.name ?? <span className="muted">unnamed</span>}
        <div className="mono muted">{k.hint}</div>
        {k.parentKeyId === null ? null : (
          <div className="muted">
            child of {parent === undefined ? 'a key' : (parent.name ?? parent.hint)}
            {k.permissions.length === 0 ? '' : `: ${k.permissions.join(', ')}`}
          </div>
        )}
      </td>
      <td>{offered?.name ?? '—'}</td>
      <td>
        <span className={`badge badge-${k.status}`}>{k.status}</span>
      </td>
      <td>{formatTime(k.createdAt)}</td>
      <td>{formatRelative(k.lastUsedAt)}</td>
      <td>{k.expiresAt === null ? 'never' : formatTime(k.expiresAt)}</td>
      <td>{k.credits === null ? 'unlimited' : formatNumber(k.credits.remaining)}</td>
      <td>
        <span className="actions">
          <button
            type="button"
            className="button button-small"
            onClick={onShowUsage}
            aria-label={`Usage of ${k.name ?? k.hint}`}
          >
            Usage
          </button>
          {live && offered?.allowRoll ? (
            <button
              type="button"
              className="button button-small"
              onClick={onRoll}
              aria-label={`Roll ${k.name ?? k.hint}`}
            >
              Roll
            </button>
          ) : null}
          {live && offered?.allowRevoke ? (
            <button
              type="button"
              className="button button-small"
              onClick={onRevoke}
              aria-label={`Revoke ${k.name ?? k.hint}`}
            >
              Revoke
            </button>
          ) : null}
        </span>
      </td>
    </tr>
  );
}

/** The customer's keys, their usage, the limits that apply, and a ready-to-copy curl example. */
export function PortalHome({ session }: { session: PortalSessionView }) {
  const client = useQueryClient();
  const keys = usePortalGet<PortalKeyPage>('/portal/api/keys');
  const [creating, setCreating] = useState(false);
  const [rolling, setRolling] = useState<PortalKeyView | null>(null);
  const [revoking, setRevoking] = useState<PortalKeyView | null>(null);
  const [grace, setGrace] = useState(0);
  const [secret, setSecret] = useState<PortalIssuedKey | null>(null);
  const [usageOf, setUsageOf] = useState<PortalKeyView | null>(null);
  const apis = new Map(session.apis.map((a) => [a.id, a]));
  const refresh = () =>
    client.invalidateQueries({ predicate: (q) => String(q.queryKey[0]).startsWith('/portal/api/') });
  const canCreate = session.apis.some((a) => a.allowCreate);
  const exampleKey = secret?.key ?? '<your key>';
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Your API keys</h1>
          <p className="muted">
            Signed in as <strong>{session.customer.name ?? session.customer.externalId}</strong>. This page
            closes {formatRelative(session.expiresAt)}.
          </p>
        </div>
        {canCreate ? (
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            Create key
          </button>
        ) : null}
      </div>
      <section className="card" aria-labelledby="keys-title">
        <h2 id="keys-title">Keys</h2>
        {keys.data === undefined ? (
          <p className="muted">Loading…</p>
        ) : keys.data.items.length === 0 ? (
          <p className="empty">You have no keys yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="data" aria-label="Your keys">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">API</th>
                  <th scope="col">State</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Credits</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {keys.data.items.map((k) => (
                  <KeyRow
                    key={k.id}
                    k={k}
                    parent={
                      k.parentKeyId === null
                        ? undefined
                        : keys.data.items.find((other) => other.id === k.parentKeyId)
                    }
                    api={apis.get(k.apiId)}
                    onRoll={() => setRolling(k)}
                    onRevoke={() => setRevoking(k)}
                    onShowUsage={() => setUsageOf(k)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <Usage
        key={usageOf?.id ?? 'all'}
        keyId={usageOf?.id ?? null}
        label={usageOf === null ? 'Usage of all your keys' : `Usage of ${usageOf.name ?? usageOf.hint}`}
      />
      <div className="grid">
        <section className="card" aria-labelledby="limits-title">
          <h2 id="limits-title">Limits</h2>
          {session.apis.map((a) => (
            <p key={a.id}>
              <strong>{a.name}</strong>:{' '}
              {a.ratelimits.length === 0
                ? 'no rate limit'
                : a.ratelimits.map((l) => formatLimit(l)).join(', ')}
              ; at most {a.maxKeysPerConsumer} keys.
            </p>
          ))}
        </section>
        <section className="card" aria-labelledby="example-title">
          <h2 id="example-title">Try it</h2>
          <p className="muted">Send your key as a Bearer token:</p>
          <pre className="code">{`curl -H "Authorization: Bearer ${exampleKey}" \\
  ${session.branding.apiBaseUrl ?? 'https://api.example.com'}/…`}</pre>
        </section>
      </div>
      {creating ? (
        <CreatePortalKeyDialog
          apis={session.apis.filter((a) => a.allowCreate)}
          onClose={() => setCreating(false)}
          onIssued={(issued) => {
            setCreating(false);
            setSecret(issued);
            void refresh();
          }}
        />
      ) : null}
      {rolling === null ? null : (
        <ConfirmDialog
          title={`Roll ${rolling.name ?? rolling.hint}?`}
          confirmLabel="Roll key"
          tone="default"
          onClose={() => setRolling(null)}
          onConfirm={async () => {
            const issued = await api<PortalIssuedKey>('POST', `/portal/api/keys/${rolling.id}/roll`, {
              gracePeriodMs: grace,
            });
            setRolling(null);
            setSecret(issued);
            await refresh();
          }}
        >
          <p>You get a new key. Switch your application to it before the old one stops working.</p>
          <label className="field">
            <span>Keep the old key working for</span>
            <select value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
              {GRACE.map(([ms, label]) => (
                <option key={ms} value={ms}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </ConfirmDialog>
      )}
      {revoking === null ? null : (
        <ConfirmDialog
          title={`Revoke ${revoking.name ?? revoking.hint}?`}
          confirmLabel="Revoke key"
          typeToConfirm="revoke"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api('POST', `/portal/api/keys/${revoking.id}/revoke`);
            setRevoking(null);
            await refresh();
          }}
        >
          <p>
            The key {revoking.hint} stops working at once and for good. Anything that still uses it will be
            refused. Do this if the key leaked (for example, it was published in a repository).
          </p>
        </ConfirmDialog>
      )}
      {secret === null ? null : (
        <SecretDialog title="Your new key" secret={secret.key} onClose={() => setSecret(null)} />
      )}
    </>
  );
}
