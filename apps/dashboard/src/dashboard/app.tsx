import { lazy, Suspense } from 'react';
import { Link, Route, Router, Switch, useRoute } from 'wouter';
import { ApisPage } from './pages/apis.js';
import { ConsumersPage } from './pages/consumers.js';
import { KeyPage } from './pages/key-detail.js';
import { KeysPage } from './pages/keys.js';
import { OverviewPage } from './pages/overview.js';
import { useSession, useSignOut } from './session.js';
import { SignIn } from './sign-in.js';

const RolesPage = lazy(() => import('./pages/roles.js'));
const RootKeysPage = lazy(() => import('./pages/root-keys.js'));
const AlertsPage = lazy(() => import('./pages/alerts.js'));
const AuditPage = lazy(() => import('./pages/audit.js'));
const WebhooksPage = lazy(() => import('./pages/webhooks.js'));
const UsagePage = lazy(() => import('./pages/usage.js'));
const PortalSettingsPage = lazy(() => import('./pages/portal-settings.js'));

const NAV: Array<[string, string]> = [
  ['/', 'Overview'],
  ['/apis', 'APIs'],
  ['/keys', 'Keys'],
  ['/consumers', 'Consumers'],
  ['/usage', 'Usage'],
  ['/alerts', 'Alerts'],
  ['/roles', 'Roles'],
  ['/root-keys', 'Root keys'],
  ['/webhooks', 'Webhooks'],
  ['/audit', 'Audit log'],
  ['/portal', 'Customer portal'],
];

function NavLink({ to, label }: { to: string; label: string }) {
  const [exact] = useRoute(to);
  const [nested] = useRoute(`${to}/*?`);
  const current = to === '/' ? exact : nested;
  return (
    <Link href={to} aria-current={current ? 'page' : undefined}>
      {label}
    </Link>
  );
}

function Shell() {
  const { data: session } = useSession();
  const signOut = useSignOut();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" /> keyward
        </div>
        <nav className="nav" aria-label="Dashboard">
          {NAV.map(([to, label]) => (
            <NavLink key={to} to={to} label={label} />
          ))}
        </nav>
        <div className="sidebar-foot">
          <div>{session?.workspace.name}</div>
          <div className="mono">{session?.rootKey.hint}</div>
          <button type="button" className="button button-small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </aside>
      <main className="page" id="main">
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Switch>
            <Route path="/" component={OverviewPage} />
            <Route path="/apis" component={ApisPage} />
            <Route path="/keys" component={KeysPage} />
            <Route path="/keys/:id">{(params) => <KeyPage id={params.id} />}</Route>
            <Route path="/consumers" component={ConsumersPage} />
            <Route path="/roles" component={RolesPage} />
            <Route path="/root-keys" component={RootKeysPage} />
            <Route path="/alerts" component={AlertsPage} />
            <Route path="/audit" component={AuditPage} />
            <Route path="/webhooks" component={WebhooksPage} />
            <Route path="/usage" component={UsagePage} />
            <Route path="/portal" component={PortalSettingsPage} />
            <Route>
              <h1>Not found</h1>
              <p>
                <Link href="/">Back to the overview</Link>
              </p>
            </Route>
          </Switch>
        </Suspense>
      </main>
    </div>
  );
}

/** The dashboard: the sign-in until a session exists, then the pages under `/dashboard/`. */
export function App() {
  const { data: session, isPending, error } = useSession();
  if (isPending) return <p className="center muted">Loading…</p>;
  if (error) return <p className="center error">keyward cannot be reached: {error.message}</p>;
  if (session === null || session === undefined) return <SignIn />;
  return (
    <Router base="/dashboard">
      <Shell />
    </Router>
  );
}
