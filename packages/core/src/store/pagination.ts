import { KeywardError } from '../contracts/errors.js';
import type { Page, PageQuery } from '../contracts/store.js';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 100;

const CURSOR = /^[A-Za-z0-9_-]{1,400}$/;
const ID = /^[\x21-\x7e]{1,256}$/;

/** The opaque cursor of a page ending with `id` (base64url, so that clients do not build ids into it). */
export const encodeCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');

/** The last id of the previous page; `VALIDATION` on `cursor` when it is not one this store issued. */
export function decodeCursor(cursor: string): string {
  const id = CURSOR.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!ID.test(id) || encodeCursor(id) !== cursor) {
    throw new KeywardError('VALIDATION', 'cursor is not valid', { field: 'cursor' });
  }
  return id;
}

export interface PageBounds {
  limit: number;
  /** Exclusive lower bound on id, or null for the first page. */
  after: string | null;
}

/** Validated limit (1-100, default 50) and decoded cursor. */
export function pageBounds(query: PageQuery): PageBounds {
  const { limit = DEFAULT_PAGE_LIMIT, cursor = null } = query;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new KeywardError('VALIDATION', `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`, {
      field: 'limit',
    });
  }
  return { limit, after: cursor === null ? null : decodeCursor(cursor) };
}

/** Builds a page from up to `limit + 1` records fetched in id order (the extra one only says there is more). */
export function toPage<T extends { id: string }>(records: T[], limit: number): Page<T> {
  if (records.length <= limit) return { items: records, nextCursor: null };
  const items = records.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: last === undefined ? null : encodeCursor(last.id) };
}
