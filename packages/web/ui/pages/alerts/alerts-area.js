// @ts-check
// The Alerts area: tabs for current alerts, all alerts (configure,
// acknowledge), webhooks, email (SMTP settings and email groups), alert
// templates, delivery history and problems, and the page of
// the chosen tab (the route comes from lib/route.js).
import { html } from '../../lib/html.js';
import { ALERT_TABS, href } from '../../lib/route.js';
import { AlertListPage } from './all/alert-list-page.js';
import { CurrentPage } from './current/current-page.js';
import { DeliveriesPage } from './deliveries/deliveries-page.js';
import { AlertDetailPage } from './detail/alert-detail-page.js';
import { EmailPage } from './email/email-page.js';
import { ProblemsPage } from './problems/problems-page.js';
import { TemplatesPage } from './templates/templates-page.js';
import { WebhooksPage } from './webhooks/webhooks-page.js';

/** @typedef {import('../../lib/route.js').Route & { page: 'alerts' }} AlertsRoute */

/** @type {Record<import('../../lib/route.js').AlertTab, string>} */
const TAB_TEXT = {
  current: 'Current',
  all: 'All alerts',
  webhooks: 'Webhooks',
  email: 'Email',
  templates: 'Templates',
  deliveries: 'Delivery history',
  problems: 'Problems',
};

/** @param {{ tab: AlertsRoute['tab'] }} props */
function Tabs({ tab }) {
  const current = tab === 'alert' ? 'all' : tab;
  return html`<nav class="tabs" id="alert-tabs">${ALERT_TABS.map(
    (t) =>
      html`<a key=${t} href=${href.alerts(t)} id=${`tab-${t}`} class=${t === current ? 'current' : ''}>${TAB_TEXT[t]}</a>`,
  )}</nav>`;
}

/**
 * The area for `route`; `session.role` 'admin' shows the edit controls.
 * @param {{ route: AlertsRoute, prefs: import('../../lib/api.js').Preferences, session: import('../../lib/api.js').Session }} props
 */
export function AlertsArea({ route, prefs, session }) {
  const canEdit = session?.role === 'admin';
  const p = { prefs, canEdit };
  let page;
  if (route.tab === 'all') page = html`<${AlertListPage} ...${p} />`;
  else if (route.tab === 'alert') page = html`<${AlertDetailPage} key=${route.id} id=${route.id} ...${p} />`;
  else if (route.tab === 'webhooks') page = html`<${WebhooksPage} ...${p} />`;
  else if (route.tab === 'email') page = html`<${EmailPage} ...${p} />`;
  else if (route.tab === 'templates') page = html`<${TemplatesPage} ...${p} />`;
  else if (route.tab === 'deliveries') page = html`<${DeliveriesPage} ...${p} params=${route.params} />`;
  else if (route.tab === 'problems') page = html`<${ProblemsPage} ...${p} />`;
  else page = html`<${CurrentPage} prefs=${prefs} />`;
  return html`<${Tabs} tab=${route.tab} />${page}`;
}
