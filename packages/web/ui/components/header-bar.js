// @ts-check
// The top bar: navigation, the refresh interval and theme preferences, the
// logged-in user and the logout button.
import { html } from '../lib/html.js';
import { href } from '../lib/route.js';

/** @typedef {import('../lib/api.js').Preferences} Preferences */

/** Refresh intervals offered, seconds (0 = off), and their labels. */
const REFRESH = /** @type {const} */ ([
  [0, 'off'],
  [5, '5 s'],
  [10, '10 s'],
  [30, '30 s'],
  [60, '1 min'],
]);

const THEMES = /** @type {const} */ (['system', 'light', 'dark']);

/** @param {{ route: import('../lib/route.js').Route }} props */
function Nav({ route }) {
  /** @param {string} to @param {string} text @param {string} page */
  const link = (to, text, page) =>
    html`<a href=${to} class=${route.page === page ? 'current' : ''} id=${`nav-${page}`}>${text}</a>`;
  return html`<nav>${link(href.overview(), 'Overview', 'overview')} ${link(href.alerts('current'), 'Alerts', 'alerts')} ${link(href.probeLog(), 'Probe log', 'probe-log')} ${link(href.fleet('servers'), 'Fleet', 'fleet')} ${link(href.maintenance(), 'Maintenance', 'maintenance')} ${link(href.apiTokens(), 'API tokens', 'api-tokens')} ${link(href.probes(), 'Probes', 'probes')}</nav>`;
}

/**
 * The header; `session` undefined shows the title only.
 * @param {{
 *   session: import('../lib/api.js').Session | undefined,
 *   prefs: Preferences,
 *   route: import('../lib/route.js').Route,
 *   onSave: (change: Partial<Preferences>) => void,
 *   onLogout: () => void,
 * }} props
 */
export function HeaderBar({ session, prefs, route, onSave, onLogout }) {
  /** @param {Event} e */
  const value = (e) => /** @type {HTMLSelectElement} */ (e.currentTarget).value;
  return html`<header class="top">
    <h1>Pharos</h1>
    ${session ? html`<${Nav} route=${route} />` : ''}
    ${
      session
        ? html`<div class="who" id="who">
            <label>Refresh <select id="refresh-interval" value=${String(prefs.refreshIntervalS)}
              onChange=${(/** @type {Event} */ e) => onSave({ refreshIntervalS: Number(value(e)) })}>
              ${REFRESH.map(([s, t]) => html`<option key=${s} value=${String(s)}>${t}</option>`)}
            </select></label>
            <label>Theme <select id="theme" value=${prefs.theme}
              onChange=${(/** @type {Event} */ e) => onSave({ theme: /** @type {Preferences['theme']} */ (value(e)) })}>
              ${THEMES.map((t) => html`<option key=${t} value=${t}>${t}</option>`)}
            </select></label>
            <span id="who-name">${session.user}</span> <span class="badge" id="who-role">${session.role}</span>
            <button type="button" id="logout" onClick=${onLogout}>Log out</button>
          </div>`
        : ''
    }
  </header>`;
}
