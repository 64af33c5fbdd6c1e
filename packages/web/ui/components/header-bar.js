// The top bar: navigation, the refresh interval and theme preferences, the
// logged-in user and the logout button.
import { html } from '../lib/html.js';

const REFRESH = [
  [0, 'off'],
  [5, '5 s'],
  [10, '10 s'],
  [30, '30 s'],
  [60, '1 min'],
];

function Nav({ route }) {
  const link = (href, text, page) =>
    html`<a href=${href} class=${route.page === page ? 'current' : ''} id=${`nav-${page}`}>${text}</a>`;
  return html`<nav>${link('#/', 'Overview', 'overview')} ${link('#/alerts', 'Alerts', 'alerts')} ${link('#/probe-log', 'Probe log', 'probe-log')}</nav>`;
}

/** The header; `session` undefined shows the title only. */
export function HeaderBar({ session, prefs, route, onSave, onLogout }) {
  return html`<header class="top">
    <h1>Pharos</h1>
    ${session ? html`<${Nav} route=${route} />` : ''}
    ${
      session
        ? html`<div class="who" id="who">
            <label>Refresh <select id="refresh-interval" value=${String(prefs.refreshIntervalS)}
              onChange=${(e) => onSave({ refreshIntervalS: Number(e.currentTarget.value) })}>
              ${REFRESH.map(([s, t]) => html`<option key=${s} value=${String(s)}>${t}</option>`)}
            </select></label>
            <label>Theme <select id="theme" value=${prefs.theme} onChange=${(e) => onSave({ theme: e.currentTarget.value })}>
              <option value="system">system</option><option value="light">light</option><option value="dark">dark</option>
            </select></label>
            <span id="who-name">${session.user}</span> <span class="badge" id="who-role">${session.role}</span>
            <button type="button" id="logout" onClick=${onLogout}>Log out</button>
          </div>`
        : ''
    }
  </header>`;
}
