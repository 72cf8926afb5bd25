import type { ApiPage, IssuedKey, KeyPage, KeyView } from '@keyward/protocol';
import { type ColumnDef, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { query } from '../../shared/api.js';
import { formatRelative, formatTime } from '../../shared/format.js';
import { SecretDialog } from '../../shared/secret-dialog.js';
import { useGet, useRefresh } from '../hooks.js';
import { allows, useSession } from '../session.js';
import { Loaded, PageHead, StatusBadge } from '../ui.js';
import { CreateKeyDialog } from './create-key-dialog.js';

const PAGE_SIZE = 50;
const STATES = ['active', 'disabled', 'expired', 'revoked'] as const;

/** A pasted key becomes its hint (prefix, first 4, last 4): the search never sends a secret. */
export function searchTerm(text: string): string {
  const trimmed = text.trim();
  const key = /^([a-z][a-z0-9_]{1,15})_([A-Za-z0-9]{36})$/.exec(trimmed);
  if (key === null) return trimmed;
  const [, prefix, body] = key as unknown as [string, string, string];
  return `${prefix}_${body.slice(0, 4)}…${body.slice(-4)}`;
}

/** Debounces a value (the search box asks the server after typing pauses). */
function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setCurrent(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return current;
}

const columns = (apiNames: Map<string, string>): Array<ColumnDef<KeyView>> => [
  {
    header: 'Key',
    cell: ({ row }) => (
      <Link href={`/keys/${row.original.id}`}>
        {row.original.name ?? <span className="muted">unnamed</span>}
        <div className="mono muted">{row.original.hint}</div>
      </Link>
    ),
  },
  { header: 'API', cell: ({ row }) => apiNames.get(row.original.apiId) ?? row.original.apiId },
  {
    header: 'Consumer',
    cell: ({ row }) => <span className="mono">{row.original.consumerId ?? '—'}</span>,
  },
  { header: 'State', cell: ({ row }) => <StatusBadge status={row.original.status} /> },
  { header: 'Created', cell: ({ row }) => formatTime(row.original.createdAt) },
  {
    header: 'Expires',
    cell: ({ row }) => (row.original.expiresAt === null ? 'never' : formatRelative(row.original.expiresAt)),
  },
];

/**
 * Every key of the workspace: search (name, hint, external id) and filters run on the
 * server, pages come by cursor (50 at a time, newest first), so 100,000 keys cost what 50 do.
 */
export function KeysPage() {
  const { data: session } = useSession();
  const refresh = useRefresh();
  const apis = useGet<ApiPage>('/v1/apis?limit=100');
  const [search, setSearch] = useState('');
  const [state, setState] = useState('');
  const [apiId, setApiId] = useState('');
  const [consumer, setConsumer] = useState(
    () => new URLSearchParams(window.location.search).get('consumer') ?? '',
  );
  const [cursors, setCursors] = useState<string[]>([]);
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<IssuedKey | null>(null);
  const term = useDebounced(searchTerm(search), 250);
  const externalId = useDebounced(consumer.trim(), 250);
  // A new filter starts again at the first page.
  const filters = `${term}|${state}|${apiId}|${externalId}`;
  const [pagedFilters, setPagedFilters] = useState(filters);
  if (pagedFilters !== filters) {
    setPagedFilters(filters);
    setCursors([]);
  }
  const path = `/v1/keys${query({
    limit: PAGE_SIZE,
    order: 'desc',
    search: term,
    state,
    apiId,
    externalId,
    cursor: cursors.at(-1),
  })}`;
  const keys = useGet<KeyPage>(path, { keepPrevious: true });
  const apiNames = useMemo(() => new Map(apis.data?.items.map((a) => [a.id, a.name]) ?? []), [apis.data]);
  const table = useReactTable({
    data: keys.data?.items ?? [],
    columns: useMemo(() => columns(apiNames), [apiNames]),
    getCoreRowModel: getCoreRowModel(),
  });
  return (
    <>
      <PageHead
        title="Keys"
        intro="Search by name, hint or customer; paste a whole key to find it by its hint."
        actions={
          allows(session, 'keys:write') ? (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              Create key
            </button>
          ) : undefined
        }
      />
      <div className="card">
        <search className="toolbar">
          <label className="field">
            <span>Search</span>
            <input
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="name, hint or external id"
            />
          </label>
          <label className="field">
            <span>State</span>
            <select value={state} onChange={(e) => setState(e.target.value)}>
              <option value="">any</option>
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>API</span>
            <select value={apiId} onChange={(e) => setApiId(e.target.value)}>
              <option value="">any</option>
              {apis.data?.items.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Consumer (external id)</span>
            <input value={consumer} onChange={(e) => setConsumer(e.target.value)} placeholder="any" />
          </label>
        </search>
        <Loaded query={keys} empty={(page) => page.items.length === 0}>
          {() => (
            <div className="table-wrap">
              <table className="data" aria-label="Keys" aria-busy={keys.isFetching}>
                <thead>
                  {table.getHeaderGroups().map((group) => (
                    <tr key={group.id}>
                      {group.headers.map((header) => (
                        <th key={header.id} scope="col">
                          {flexRender(header.column.columnDef.header, header.getContext())}
                        </th>
                      ))}
                    </tr>
                  ))}
                </thead>
                <tbody>
                  {table.getRowModel().rows.map((row) => (
                    <tr key={row.id}>
                      {row.getVisibleCells().map((cell) => (
                        <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
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
            disabled={!keys.data?.nextCursor}
            onClick={() => {
              const next = keys.data?.nextCursor;
              if (next) setCursors((c) => [...c, next]);
            }}
          >
            Older
          </button>
        </nav>
      </div>
      {creating ? (
        <CreateKeyDialog
          onClose={() => setCreating(false)}
          onIssued={(key) => {
            setCreating(false);
            setIssued(key);
            void refresh('/v1/keys');
          }}
        />
      ) : null}
      {issued === null ? null : (
        <SecretDialog
          title={`Key created: ${issued.name ?? issued.hint}`}
          secret={issued.key}
          description="Give it to your customer over a secure channel."
          onClose={() => setIssued(null)}
        />
      )}
    </>
  );
}
