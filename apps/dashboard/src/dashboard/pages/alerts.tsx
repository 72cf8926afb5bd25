import type { AlertPage } from '@keyward/protocol';
import { useState } from 'react';
import { api, errorText, query } from '../../shared/api.js';
import { formatNumber, formatRelative } from '../../shared/format.js';
import { useGet, useRefresh } from '../hooks.js';
import { allows, useSession } from '../session.js';
import { Loaded, PageHead, StatusBadge, Table } from '../ui.js';

/** What the access-pattern detectors found: traffic spikes, leaked-key signs, brute force, low credits. */
export default function AlertsPage() {
  const { data: session } = useSession();
  const refresh = useRefresh();
  const [status, setStatus] = useState('open');
  const alerts = useGet<AlertPage>(`/v1/alerts${query({ status, limit: 100 })}`);
  const [error, setError] = useState<string | null>(null);
  const acknowledge = async (id: string) => {
    setError(null);
    try {
      await api('POST', `/v1/alerts/${id}/acknowledge`);
      await refresh('/v1/alerts');
    } catch (failure) {
      setError(errorText(failure));
    }
  };
  return (
    <>
      <PageHead title="Alerts" intro="Acknowledge an alert once someone looks into it." />
      <div className="card">
        <div className="toolbar">
          <label className="field">
            <span>Status</span>
            <select value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="open">open</option>
              <option value="acknowledged">acknowledged</option>
              <option value="resolved">resolved</option>
            </select>
          </label>
        </div>
        {error === null ? null : (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <Loaded query={alerts}>
          {(page) => (
            <Table
              label="Alerts"
              rows={page.items}
              columns={[
                { header: 'Severity', cell: (a) => <StatusBadge status={a.severity} /> },
                { header: 'Summary', cell: (a) => a.summary },
                {
                  header: 'Subject',
                  cell: (a) => <span className="mono">{`${a.subject.type} ${a.subject.id}`}</span>,
                },
                {
                  header: 'Seen',
                  cell: (a) => `${formatNumber(a.occurrences)}×, ${formatRelative(a.updatedAt)}`,
                },
                {
                  header: 'Actions',
                  cell: (a) =>
                    a.status === 'open' && allows(session, 'alerts:write') ? (
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => void acknowledge(a.id)}
                      >
                        Acknowledge
                      </button>
                    ) : (
                      <StatusBadge status={a.status} />
                    ),
                },
              ]}
            />
          )}
        </Loaded>
      </div>
    </>
  );
}
