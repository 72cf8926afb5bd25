import type { WebhookDeliveryPage, WebhookPage, WebhookView, WebhookWithSecret } from '@keyward/protocol';
import { useState } from 'react';
import { api, errorText } from '../../shared/api.js';
import { ConfirmDialog } from '../../shared/confirm-dialog.js';
import { formatTime } from '../../shared/format.js';
import { SecretDialog } from '../../shared/secret-dialog.js';
import { useGet, useRefresh } from '../hooks.js';
import { allows, useSession } from '../session.js';
import { Loaded, PageHead, Pills, StatusBadge, Table } from '../ui.js';

const EVENTS = ['key.created', 'key.updated', 'key.rolled', 'key.revoked', 'alert.raised', 'usage.threshold'];

function Deliveries({ endpoint, canWrite }: { endpoint: WebhookView; canWrite: boolean }) {
  const refresh = useRefresh();
  const deliveries = useGet<WebhookDeliveryPage>(`/v1/webhooks/${endpoint.id}/deliveries?limit=20`);
  const [status, setStatus] = useState('');
  const retry = async (messageId: string) => {
    try {
      await api('POST', `/v1/webhooks/${endpoint.id}/messages/${messageId}/retry`);
      setStatus(`Message ${messageId} queued again.`);
      setTimeout(() => void refresh(`/v1/webhooks/${endpoint.id}/deliveries`), 1500);
    } catch (failure) {
      setStatus(errorText(failure));
    }
  };
  return (
    <section className="card" aria-labelledby="deliveries">
      <h2 id="deliveries">Deliveries to {endpoint.url}</h2>
      <p className="muted">
        Failed deliveries are retried on a backoff schedule (the next attempt is shown), or at once with
        “Retry now”; each attempt is listed.
      </p>
      <Loaded query={deliveries}>
        {(page) => (
          <Table
            label="Deliveries"
            rows={page.items}
            columns={[
              { header: 'When', cell: (d) => formatTime(d.createdAt) },
              { header: 'Event', cell: (d) => <span className="mono">{d.eventType}</span> },
              { header: 'Attempt', cell: (d) => d.attempt },
              { header: 'Outcome', cell: (d) => <StatusBadge status={d.outcome} /> },
              { header: 'Status', cell: (d) => d.responseStatus ?? d.error ?? '—' },
              {
                header: 'Next retry',
                cell: (d) => (d.nextAttemptAt === null ? '—' : formatTime(d.nextAttemptAt)),
              },
              {
                header: 'Actions',
                cell: (d) =>
                  canWrite && d.outcome === 'failure' ? (
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => void retry(d.messageId)}
                    >
                      Retry now
                    </button>
                  ) : null,
              },
            ]}
          />
        )}
      </Loaded>
      <p className="status" role="status">
        {status}
      </p>
    </section>
  );
}

/** Signed webhooks (Standard Webhooks) for key and alert events, with each endpoint's delivery log. */
export default function WebhooksPage() {
  const { data: session } = useSession();
  const refresh = useRefresh();
  const endpoints = useGet<WebhookPage>('/v1/webhooks?limit=100');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['key.revoked']);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<WebhookWithSecret | null>(null);
  const [selected, setSelected] = useState<WebhookView | null>(null);
  return (
    <>
      <PageHead
        title="Webhooks"
        intro="keyward signs every delivery; verify the signature with the endpoint's secret."
        actions={
          allows(session, 'webhooks:write') ? (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              Add endpoint
            </button>
          ) : undefined
        }
      />
      <div className="card">
        <Loaded query={endpoints}>
          {(page) => (
            <Table
              label="Webhook endpoints"
              rows={page.items}
              columns={[
                { header: 'URL', cell: (w) => <span className="mono">{w.url}</span> },
                { header: 'Events', cell: (w) => <Pills items={w.events} /> },
                { header: 'State', cell: (w) => <StatusBadge status={w.enabled ? 'active' : 'disabled'} /> },
                {
                  header: 'Deliveries',
                  cell: (w) => (
                    <button type="button" className="button button-small" onClick={() => setSelected(w)}>
                      Show
                    </button>
                  ),
                },
              ]}
            />
          )}
        </Loaded>
      </div>
      {selected === null ? null : (
        <Deliveries endpoint={selected} canWrite={allows(session, 'webhooks:write')} />
      )}
      {creating ? (
        <ConfirmDialog
          title="Add a webhook endpoint"
          confirmLabel="Add endpoint"
          tone="default"
          onClose={() => setCreating(false)}
          onConfirm={async () => {
            const created = await api<WebhookWithSecret>('POST', '/v1/webhooks', { url, events });
            setCreating(false);
            setSecret(created);
            await refresh('/v1/webhooks');
          }}
        >
          <label className="field">
            <span>URL</span>
            <input
              type="url"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              placeholder="https://example.com/hooks/keyward"
            />
          </label>
          <fieldset className="field">
            <legend>Events</legend>
            {EVENTS.map((event) => (
              <label key={event} className="field-inline">
                <input
                  type="checkbox"
                  checked={events.includes(event)}
                  onChange={(e) =>
                    setEvents((current) =>
                      e.target.checked ? [...current, event] : current.filter((x) => x !== event),
                    )
                  }
                />
                <span className="mono">{event}</span>
              </label>
            ))}
          </fieldset>
        </ConfirmDialog>
      ) : null}
      {secret === null ? null : (
        <SecretDialog
          title="Signing secret"
          secret={secret.secret}
          description="Verify every delivery's signature with it."
          onClose={() => setSecret(null)}
        />
      )}
    </>
  );
}
