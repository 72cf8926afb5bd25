import type { PortalSessionView } from '@keyward/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ApiError, api, errorText } from '../shared/api.js';
import { takeLinkToken } from './link-token.js';
import { PortalHome } from './portal-home.js';

/** The session: from the link's token on first load, else from the cookie; null when there is none. */
function usePortalSession() {
  const client = useQueryClient();
  const token = useRef<string | null | undefined>(undefined);
  if (token.current === undefined) token.current = takeLinkToken(window.location, window.history);
  return useQuery({
    queryKey: ['portal-session'],
    queryFn: async (): Promise<PortalSessionView | null> => {
      const pending = token.current;
      token.current = null;
      try {
        if (pending) return await api<PortalSessionView>('POST', '/portal/api/exchange', { token: pending });
        return await api<PortalSessionView>('GET', '/portal/api/session');
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'portal-session' });
          return null;
        }
        throw error;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Applies the provider's accent colour (a validated hex colour) to the page. */
function useAccent(color: string | null | undefined) {
  useEffect(() => {
    if (color) document.documentElement.style.setProperty('--accent', color);
    return () => {
      document.documentElement.style.removeProperty('--accent');
    };
  }, [color]);
}

/** The customer portal: one customer's keys of the provider's APIs, within the provider's policy. */
export function PortalApp() {
  const session = usePortalSession();
  const client = useQueryClient();
  const [left, setLeft] = useState(false);
  useAccent(session.data?.branding.accentColor);
  useEffect(() => {
    if (session.data?.branding.name) document.title = `API keys · ${session.data.branding.name}`;
  }, [session.data]);
  if (session.isPending) return <p className="center muted">Loading…</p>;
  if (session.error) return <p className="center error">{errorText(session.error)}</p>;
  if (session.data === null || session.data === undefined || left) {
    return (
      <main className="center">
        <div className="card signin">
          <h1>{left ? 'You have left the portal' : 'This portal link has expired'}</h1>
          <p className="muted">
            Portal links work once and for a short time. Open the key management page from your account on the
            provider's site again.
          </p>
        </div>
      </main>
    );
  }
  const data = session.data;
  const leave = async () => {
    await api('DELETE', '/portal/api/session').catch(() => undefined);
    client.clear();
    setLeft(true);
  };
  return (
    <>
      <header className="portal-head">
        <div className="portal-head-inner">
          <div className="portal-brand">
            {data.branding.logoUrl ? <img src={data.branding.logoUrl} alt="" /> : null}
            <span>{data.branding.name}</span>
          </div>
          <nav className="actions" aria-label="Portal">
            {data.returnUrl ? (
              <a className="button" href={data.returnUrl} rel="noopener noreferrer">
                Back to {data.branding.name}
              </a>
            ) : null}
            <button type="button" className="button" onClick={() => void leave()}>
              Leave
            </button>
          </nav>
        </div>
      </header>
      <main className="portal-main" id="main">
        <PortalHome session={data} />
      </main>
    </>
  );
}
