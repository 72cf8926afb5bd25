import { KeywardError } from '../contracts/errors.js';

const camel = (column: string): string => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The columns named by a unique violation of either driver; null when `error` is something else. */
function uniqueColumns(error: unknown): string[] | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, message, detail } = error as { code?: unknown; message?: unknown; detail?: unknown };
  if (code === '23505') {
    // pg: detail is `Key (workspace_id, external_id)=(…) already exists.`
    const match = typeof detail === 'string' ? /^Key \(([^)]*)\)=/.exec(detail) : null;
    return match?.[1]?.split(', ') ?? [];
  }
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // better-sqlite3: `UNIQUE constraint failed: consumers.workspace_id, consumers.external_id`
    const match = typeof message === 'string' ? /constraint failed: (.*)$/.exec(message) : null;
    return match?.[1]?.split(', ').map((qualified) => qualified.slice(qualified.lastIndexOf('.') + 1)) ?? [];
  }
  return null;
}

/**
 * A unique violation as `KeywardError` `CONFLICT` whose `field` is the last column of the
 * violated index (`externalId` for `(workspace_id, external_id)`). The driver error is not
 * kept as `cause`: PostgreSQL's detail holds the conflicting value, which may be a digest.
 */
export function toConflict(error: unknown, what: string): KeywardError | null {
  const columns = uniqueColumns(error);
  if (columns === null) return null;
  const field = camel(columns.at(-1) ?? 'id');
  return new KeywardError('CONFLICT', `a ${what} with this ${field} already exists`, { field });
}

/** Runs a write, turning a unique violation into `CONFLICT`; every other error passes through. */
export async function guardUnique<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw toConflict(error, what) ?? error;
  }
}
