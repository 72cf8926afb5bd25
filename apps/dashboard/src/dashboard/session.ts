import type { DashboardSessionView } from '@keyward/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api } from '../shared/api.js';

/** The signed-in session, null when signed out (401), undefined while loading. */
export function useSession() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async (): Promise<DashboardSessionView | null> => {
      try {
        return await api<DashboardSessionView>('GET', '/dashboard/api/session');
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** True when the signed-in root key holds `permission` (`*`, or the same, or its `:write` for a `:read`). */
export function allows(session: DashboardSessionView | null | undefined, permission: string): boolean {
  if (!session) return false;
  const write = permission.endsWith(':read') ? `${permission.slice(0, -5)}:write` : null;
  return session.rootKey.permissions.some((p) => p === '*' || p === permission || p === write);
}

/** Sign-out: ends the session on the server, then forgets every cached answer. */
export function useSignOut() {
  const client = useQueryClient();
  return async () => {
    try {
      await api('DELETE', '/dashboard/api/session');
    } finally {
      // The session first (the app's observer of it re-renders into the sign-in), then every other answer.
      client.setQueryData(['session'], null);
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
    }
  };
}
