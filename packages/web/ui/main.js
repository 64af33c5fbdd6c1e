// Entry point of the Pharos UI: the login form or the pages (overview,
// server analysis, alerts and their administration, probe log) chosen by the
// URL's hash, the user's preferences from the backend, and riding out a
// backend failover (503) by saying so and retrying, never by logging out.

import { HeaderBar } from './components/header-bar.js';
import { ApiError, getPreferences, getSession, logout, patchPreferences } from './lib/api.js';
import { html, render, useEffect, useState } from './lib/html.js';
import { failureText, UNAUTHORIZED_EVENT } from './lib/poll.js';
import { AlertsArea, parseAlertsRoute } from './pages/alerts/alerts-area.js';
import { LoginView } from './pages/login/login-page.js';
import { OverviewPage } from './pages/overview/overview-page.js';
import { ProbeLogPage } from './pages/probe-log/probe-log-page.js';
import { ServerPage } from './pages/server/server-page.js';

/** Preferences used until the backend's answer arrives (the API's defaults). */
const DEFAULT_PREFS = { timeRange: '1h', refreshIntervalS: 10, dashboards: [], theme: 'system' };

/** The page named by the hash: #/, #/server/<id>, #/alerts[/...] (alerts-area.js), #/probe-log. */
export function parseRoute(hash) {
  const m = /^#\/server\/(\d+)$/.exec(hash);
  if (m) return { page: 'server', id: Number(m[1]) };
  const alerts = parseAlertsRoute(hash);
  if (alerts) return alerts;
  if (hash === '#/probe-log') return { page: 'probe-log' };
  return { page: 'overview' };
}

function useRoute() {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Page({ route, prefs, onSave, session }) {
  if (route.page === 'server') return html`<${ServerPage} id=${route.id} prefs=${prefs} onSave=${onSave} />`;
  if (route.page === 'alerts')
    return html`<${AlertsArea} route=${route} prefs=${prefs} session=${session} />`;
  if (route.page === 'probe-log') return html`<${ProbeLogPage} prefs=${prefs} />`;
  return html`<${OverviewPage} prefs=${prefs} />`;
}

function App() {
  const [phase, setPhase] = useState({ name: 'loading' });
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
          setPhase({ name: 'loading', note: `${failureText(err)}; retrying…` });
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
  const onLogin = (session) => {
    setPhase({ name: 'app', session });
    loadPrefs();
  };

  const session = phase.name === 'app' ? phase.session : undefined;
  return html`<${HeaderBar} session=${session} prefs=${prefs} route=${route} onSave=${onSave} onLogout=${onLogout} />
    <main>
      ${phase.name === 'loading' ? html`<p id="loading" class="muted">${phase.note ?? 'Loading…'}</p>` : ''}
      ${phase.name === 'login' ? html`<${LoginView} message=${phase.message} onLogin=${onLogin} />` : ''}
      ${session ? html`<${Page} route=${route} prefs=${prefs} onSave=${onSave} session=${session} />` : ''}
    </main>`;
}

render(html`<${App} />`, document.getElementById('app'));
