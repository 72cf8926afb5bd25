/**
 * The portal link's token, taken out of the address bar: it sits in the fragment
 * (`/portal/#token=…`, never sent to a server), and is removed with `replaceState` so
 * that it stays neither in the history nor on screen.
 */
export function takeLinkToken(location: Location, history: History): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (match === null) return null;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  return match[1] ?? null;
}
