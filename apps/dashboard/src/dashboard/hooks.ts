import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../shared/api.js';

/** A GET of keyward's API, cached under its path; `keepPrevious` shows the last page while the next loads. */
export function useGet<T>(path: string | null, options: { keepPrevious?: boolean } = {}) {
  return useQuery<T>({
    queryKey: [path],
    queryFn: ({ signal }) => api<T>('GET', path as string, undefined, signal),
    enabled: path !== null,
    ...(options.keepPrevious ? { placeholderData: keepPreviousData } : {}),
  });
}

/** Refetches every cached GET whose path starts with one of `prefixes` (after a write). */
export function useRefresh() {
  const client = useQueryClient();
  return (...prefixes: string[]) =>
    client.invalidateQueries({
      predicate: (q) =>
        typeof q.queryKey[0] === 'string' && prefixes.some((p) => (q.queryKey[0] as string).startsWith(p)),
    });
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
