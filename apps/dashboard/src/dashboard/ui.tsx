import type { ReactNode } from 'react';
import { errorText } from '../shared/api.js';

export function PageHead({
  title,
  intro,
  actions,
}: {
  title: string;
  intro?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        {intro === undefined ? null : <p>{intro}</p>}
      </div>
      {actions === undefined ? null : <div className="actions">{actions}</div>}
    </div>
  );
}

/** Loading, failure and empty states of a query, or its content. */
export function Loaded<T>({
  query,
  empty,
  children,
}: {
  query: { data: T | undefined; error: Error | null; isPending: boolean };
  empty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.error) {
    return (
      <p className="error" role="alert">
        {errorText(query.error)}
      </p>
    );
  }
  if (query.isPending || query.data === undefined) return <p className="muted">Loading…</p>;
  if (empty?.(query.data)) return <p className="empty">Nothing here yet.</p>;
  return <>{children(query.data)}</>;
}

export const StatusBadge = ({ status }: { status: string }) => (
  <span className={`badge badge-${status}`}>{status}</span>
);

export function Stat({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
    </div>
  );
}

export function Pills({ items }: { items: readonly string[] }) {
  if (items.length === 0) return <span className="muted">none</span>;
  return (
    <span className="pill-list">
      {items.map((item) => (
        <span key={item} className="badge">
          {item}
        </span>
      ))}
    </span>
  );
}

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
}

/** A plain table of rows (the keys page, which pages 100,000 rows, uses TanStack Table). */
export function Table<T extends { id: string }>({
  label,
  rows,
  columns,
}: {
  label: string;
  rows: readonly T[];
  columns: Array<Column<T>>;
}) {
  if (rows.length === 0) return <p className="empty">Nothing here yet.</p>;
  return (
    <div className="table-wrap">
      <table className="data" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col">
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              {columns.map((c) => (
                <td key={c.header}>{c.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
