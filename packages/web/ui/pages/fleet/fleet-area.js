// @ts-check
// The Fleet area: tabs for monitored servers, Patroni clusters, agents and
// (pem_admin only) enrolment tokens, and the page of the chosen tab (the
// route comes from lib/route.js: #/fleet, #/fleet/<tab>,
// #/fleet/servers/add, #/fleet/servers/<id>/edit, #/fleet/clusters/add).
// pem_user members see the lists, never the forms or buttons: the forms'
// routes show the list to them.
import { html, useState } from '../../lib/html.js';
import { FLEET_TABS, href } from '../../lib/route.js';
import { AgentsPage } from './agents/agents-page.js';
import { ClustersPage } from './clusters/clusters-page.js';
import { ServerFormPage, ServersPage } from './servers/servers-page.js';
import { TokensPage } from './tokens/tokens-page.js';

/** @typedef {import('../../lib/route.js').Route & { page: 'fleet' }} FleetRoute */

/** @type {Record<import('../../lib/route.js').FleetTab, string>} */
const TAB_TEXT = {
  servers: 'Servers',
  clusters: 'Patroni clusters',
  agents: 'Agents',
  tokens: 'Enrolment tokens',
};

/** @param {{ current: import('../../lib/route.js').FleetTab, canEdit: boolean }} props */
function Tabs({ current, canEdit }) {
  return html`<nav class="tabs" id="fleet-tabs">${FLEET_TABS.filter((t) => canEdit || t !== 'tokens').map(
    (t) =>
      html`<a key=${t} href=${href.fleet(t)} id=${`fleet-tab-${t}`} class=${t === current ? 'current' : ''}>${TAB_TEXT[t]}</a>`,
  )}</nav>`;
}

/**
 * The area for `route`; `session.role` 'admin' shows the forms and buttons.
 * @param {{ route: FleetRoute, prefs: import('../../lib/api.js').Preferences, session: import('../../lib/api.js').Session }} props
 */
export function FleetArea({ route, prefs, session }) {
  const canEdit = session?.role === 'admin';
  // the sentence of the last change, kept across the form and the list
  const [notice, setNotice] = useState('');
  const p = { prefs, canEdit, notice, setNotice };
  const tab = route.tab;
  let current = /** @type {import('../../lib/route.js').FleetTab} */ ('servers');
  let page;
  if (tab === 'server-add' || tab === 'server-edit') {
    page = canEdit
      ? html`<${ServerFormPage} key=${route.id ?? 'new'} id=${route.id} onDone=${setNotice} />`
      : html`<${ServersPage} ...${p} />`;
  } else if (tab === 'clusters' || tab === 'cluster-add') {
    current = 'clusters';
    page = html`<${ClustersPage} ...${p} adding=${tab === 'cluster-add'} />`;
  } else if (tab === 'agents') {
    current = 'agents';
    page = html`<${AgentsPage} ...${p} />`;
  } else if (tab === 'tokens' && canEdit) {
    current = 'tokens';
    page = html`<${TokensPage} prefs=${prefs} />`;
  } else page = html`<${ServersPage} ...${p} />`;
  return html`<${Tabs} current=${current} canEdit=${canEdit} />${page}`;
}
