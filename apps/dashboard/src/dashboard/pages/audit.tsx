import type { AuditPage, AuditVerifyResponse } from '@keyward/protocol';
import { useState } from 'react';
import { query } from '../../shared/api.js';
import { formatNumber, formatTime } from '../../shared/format.js';
import { useGet } from '../hooks.js';
import { Loaded, PageHead, StatusBadge, Table } from '../ui.js';

/** Every admin action, and whether the audit hash chain is intact. */
export default function AuditLogPage() {
  const [action, setAction] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const events = useGet<AuditPage>(
    `/v1/audit-events${query({ action, limit: 50, cursor: cursors.at(-1) })}`,
    {
      keepPrevious: true,
    },
  );
  const chain = useGet<AuditVerifyResponse>('/v1/audit-events/verify');
  return (
    <>
      <PageHead
        title="Audit log"
        intro="Append-only: each event is chained to the one before it by a hash."
      />
      <section className="card" aria-labelledby="chain">
        <h2 id="chain">Chain</h2>
        <Loaded query={chain}>
          {(result) =>
            result.ok ? (
              <p>
                <StatusBadge status="ok" /> Intact: {formatNumber(result.count)} events
                {result.head ? (
                  <>
                    , head <code>{result.head.hash.slice(0, 16)}…</code> (seq {result.head.seq})
                  </>
                ) : null}
                .
              </p>
            ) : (
              <p className="error" role="alert">
                Broken at {result.brokenAt ?? 'the start'}: {result.reason}
              </p>
            )
          }
        </Loaded>
      </section>
      <div className="card">
        <div className="toolbar">
          <label className="field">
            <span>Action</span>
            <input
              value={action}
              onChange={(e) => {
                setAction(e.target.value.trim());
                setCursors([]);
              }}
              placeholder="key.revoke"
            />
          </label>
        </div>
        <Loaded query={events}>
          {(page) => (
            <Table
              label="Audit events"
              rows={page.items}
              columns={[
                { header: 'When', cell: (e) => formatTime(e.createdAt) },
                { header: 'Action', cell: (e) => <span className="mono">{e.action}</span> },
                { header: 'Target', cell: (e) => <span className="mono">{e.targetId ?? e.targetType}</span> },
                { header: 'By', cell: (e) => <span className="mono">{e.actor}</span> },
                { header: 'From', cell: (e) => e.ip ?? '—' },
              ]}
            />
          )}
        </Loaded>
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            className="button"
            disabled={cursors.length === 0}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Newer
          </button>
          <button
            type="button"
            className="button"
            disabled={!events.data?.nextCursor}
            onClick={() => {
              const next = events.data?.nextCursor;
              if (next) setCursors((c) => [...c, next]);
            }}
          >
            Older
          </button>
        </nav>
      </div>
    </>
  );
}
