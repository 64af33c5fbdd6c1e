// @ts-check
// Entry point of the Pharos UI: the login form or the page the URL's hash
// names (lib/route.js), the user's preferences from the backend, and riding
// out a backend failover (503) by saying so and retrying, never by logging out.
import { HeaderBar } from './components/header-bar.js';
import { ApiError, errorText, getPreferences, getSession, logout, patchPreferences } from './lib/api.js';
import { html, render, useEffect, useState } from './lib/html.js';
import { UNAUTHORIZED_EVENT } from './lib/poll.js';
import { parseRoute } from './lib/route.js';
import { AlertsArea } from './pages/alerts/alerts-area.js';
import { ApiTokensPage } from './pages/api-tokens/api-tokens-page.js';
import { DatabasePage } from './pages/database/database-page.js';
import { FleetArea } from './pages/fleet/fleet-area.js';
import { HostPage } from './pages/host/host-page.js';
import { LoginPage } from './pages/login/login-page.js';
import { MaintenancePage } from './pages/maintenance/maintenance-page.js';
import { NotFoundPage } from './pages/not-found/not-found-page.js';
import { OverviewPage } from './pages/overview/overview-page.js';
import { ProbeLogPage } from './pages/probe-log/probe-log-page.js';
import { ProbesPage } from './pages/probes/probes-page.js';
import { ServerPage } from './pages/server/server-page.js';
import { SessionsPage } from './pages/sessions/sessions-page.js';
import { TablePage } from './pages/table/table-page.js';
import { StatementPage } from './pages/top-sql/statement-page.js';
import { TopSqlPage } from './pages/top-sql/top-sql-page.js';

/** @typedef {import('./lib/api.js').Preferences} Preferences */
/** @typedef {import('./lib/api.js').Session} Session */
/**
 * @typedef {{ name: 'loading', note?: string }
 *   | { name: 'login', message?: string }
 *   | { name: 'app', session: Session }} Phase
 */

/**
 * Preferences used until the backend's answer arrives (the API's defaults).
 * @type {Preferences}
 */
const DEFAULT_PREFS = { timeRange: '1h', refreshIntervalS: 10, dashboards: [], theme: 'system' };

/** The current route (lib/route.js), following hash changes. */
function useRoute() {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/**
 * The page of `route`.
 * @param {{ route: import('./lib/route.js').Route, prefs: Preferences, onSave: (change: Partial<Preferences>) => void, session: Session }} props
 */
function Page({ route, prefs, onSave, session }) {
  switch (route.page) {
    case 'server':
      return html`<${ServerPage} id=${route.id} prefs=${prefs} onSave=${onSave} />`;
    case 'sessions':
      return html`<${SessionsPage} key=${route.id} id=${route.id} prefs=${prefs} session=${session} />`;
    case 'top-sql':
      return html`<${TopSqlPage} key=${route.id} id=${route.id} prefs=${prefs} onSave=${onSave} />`;
    case 'statement':
      return html`<${StatementPage} key=${`${route.serverId}/${route.key}`} serverId=${route.serverId} statementKey=${route.key} prefs=${prefs} onSave=${onSave} />`;
    case 'database':
      return html`<${DatabasePage} key=${`${route.serverId}/${route.database}`} serverId=${route.serverId} database=${route.database} prefs=${prefs} onSave=${onSave} />`;
    case 'table':
      return html`<${TablePage} key=${`${route.serverId}/${route.database}/${route.relation}`} serverId=${route.serverId} database=${route.database} relation=${route.relation} prefs=${prefs} onSave=${onSave} />`;
    case 'host':
      return html`<${HostPage} key=${route.id} id=${route.id} prefs=${prefs} onSave=${onSave} />`;
    case 'alerts':
      return html`<${AlertsArea} route=${route} prefs=${prefs} session=${session} />`;
    case 'probe-log':
      return html`<${ProbeLogPage} prefs=${prefs} />`;
    case 'api-tokens':
      return html`<${ApiTokensPage} session=${session} />`;
    case 'fleet':
      return html`<${FleetArea} route=${route} prefs=${prefs} session=${session} />`;
    case 'not-found':
      return html`<${NotFoundPage} what=${`page ${route.hash}`} />`;
    case 'maintenance':
      return html`<${MaintenancePage} session=${session} />`;
    case 'probes':
      return html`<${ProbesPage} prefs=${prefs} session=${session} />`;
    default:
      return html`<${OverviewPage} prefs=${prefs} />`;
  }
}

function App() {
  const [phase, setPhase] = useState(/** @type {Phase} */ ({ name: 'loading' }));
  const [prefs, setPrefs] = useState(DEFAULT_PREFS);
  const route = useRoute();

  const loadPrefs = () =>
    getPreferences()
      .then(setPrefs)
      .catch(() => {});

  useEffect(() => {
    let stopped = false;
    (async () => {
      for (;;) {
        try {
          const session = await getSession();
          if (stopped) return;
          setPhase({ name: 'app', session });
          loadPrefs();
          return;
        } catch (err) {
          if (stopped) return;
          if (err instanceof ApiError && err.status === 401) return setPhase({ name: 'login' });
          setPhase({ name: 'loading', note: errorText(err, { retrying: true }) });
          await new Promise((r) => setTimeout(r, 5000));
        }
      }
    })();
    const onLost = () => setPhase({ name: 'login', message: 'Your session ended. Please log in again.' });
    window.addEventListener(UNAUTHORIZED_EVENT, onLost);
    return () => {
      stopped = true;
      window.removeEventListener(UNAUTHORIZED_EVENT, onLost);
    };
  }, []);

  useEffect(() => {
    document.documentElement.dataset.theme = prefs.theme;
  }, [prefs.theme]);

  /** @param {Partial<Preferences>} change */
  const onSave = (change) => {
    setPrefs((p) => ({ ...p, ...change }));
    patchPreferences(change)
      .then(setPrefs)
      .catch(() => {});
  };
  const onLogout = async () => {
    try {
      await logout();
    } catch {
      // the session may already be gone; show the form anyway
    }
    setPhase({ name: 'login' });
  };
  /** @param {Session} session */
  const onLogin = (session) => {
    setPhase({ name: 'app', session });
    loadPrefs();
  };

  const session = phase.name === 'app' ? phase.session : undefined;
  return html`<${HeaderBar} session=${session} prefs=${prefs} route=${route} onSave=${onSave} onLogout=${onLogout} />
    <main>
      ${phase.name === 'loading' ? html`<p id="loading" class="muted">${phase.note ?? 'Loading…'}</p>` : ''}
      ${phase.name === 'login' ? html`<${LoginPage} message=${phase.message} onLogin=${onLogin} />` : ''}
      ${session ? html`<${Page} route=${route} prefs=${prefs} onSave=${onSave} session=${session} />` : ''}
    </main>`;
}

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
