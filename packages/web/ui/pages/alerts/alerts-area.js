// The Alerts area: tabs for current alerts, all alerts (configure,
// acknowledge), webhooks, delivery history and problems, and the page of
// the chosen tab. Routes: #/alerts, #/alerts/all, #/alerts/<id>,
// #/alerts/webhooks, #/alerts/deliveries[?webhookId=|alertId=], #/alerts/problems.

import { html } from '../../lib/html.js';
import { AlertListPage } from './all/alert-list-page.js';
import { AlertsPage } from './current/current-page.js';
import { DeliveriesPage } from './deliveries/deliveries-page.js';
import { AlertDetailPage } from './detail/alert-detail-page.js';
import { ProblemsPage } from './problems/problems-page.js';
import { WebhooksPage } from './webhooks/webhooks-page.js';

const TABS = [
  ['current', '#/alerts', 'Current'],
  ['all', '#/alerts/all', 'All alerts'],
  ['webhooks', '#/alerts/webhooks', 'Webhooks'],
  ['deliveries', '#/alerts/deliveries', 'Delivery history'],
  ['problems', '#/alerts/problems', 'Problems'],
];
const NAMES = new Set(TABS.map(([t]) => t));

/** The alerts route of a hash ({page: 'alerts', tab, id?, params}), or undefined when it is not one. */
export function parseAlertsRoute(hash) {
  const m = /^#\/alerts(?:\/([a-z]+|\d+))?\/?(?:\?(.*))?$/.exec(hash);
  if (!m) return undefined;
  const params = Object.fromEntries(new URLSearchParams(m[2] ?? ''));
  if (!m[1]) return { page: 'alerts', tab: 'current', params };
  if (/^\d+$/.test(m[1])) return { page: 'alerts', tab: 'alert', id: Number(m[1]), params };
  return NAMES.has(m[1]) ? { page: 'alerts', tab: m[1], params } : undefined;
}

function Tabs({ tab }) {
  const current = tab === 'alert' ? 'all' : tab;
  return html`<nav class="tabs" id="alert-tabs">${TABS.map(
    ([t, href, text]) =>
      html`<a key=${t} href=${href} id=${`tab-${t}`} class=${t === current ? 'current' : ''}>${text}</a>`,
  )}</nav>`;
}

/** The area for `route` (from parseAlertsRoute); `session.role` 'admin' shows the edit controls. */
export function AlertsArea({ route, prefs, session }) {
  const canEdit = session?.role === 'admin';
  const p = { prefs, canEdit };
  let page;
  if (route.tab === 'all') page = html`<${AlertListPage} ...${p} />`;
  else if (route.tab === 'alert') page = html`<${AlertDetailPage} key=${route.id} id=${route.id} ...${p} />`;
  else if (route.tab === 'webhooks') page = html`<${WebhooksPage} ...${p} />`;
  else if (route.tab === 'deliveries') page = html`<${DeliveriesPage} ...${p} params=${route.params} />`;
  else if (route.tab === 'problems') page = html`<${ProblemsPage} ...${p} />`;
  else page = html`<${AlertsPage} prefs=${prefs} />`;
  return html`<${Tabs} tab=${route.tab} />${page}`;
}
