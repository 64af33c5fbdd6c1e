// @ts-check
// Global overview: fleet totals and alert counts, the HA cluster, the agents
// and the servers. The fleet and the cluster refresh on their own; a failing
// backend leaves the last data on screen with a banner.
import { AlertCounts } from '../../components/badges.js';
import { StatusBar } from '../../components/status-bar.js';
import { getCluster, getFleet } from '../../lib/api.js';
import { html } from '../../lib/html.js';
import { usePoll } from '../../lib/poll.js';
import { ClusterPanel } from './cluster-panel.js';
import { AgentsTable, ServersTable, serverStatus } from './fleet-tables.js';

/** @param {{ fleet: import('../../lib/api.js').Fleet }} props */
function Totals({ fleet }) {
  const agentsById = new Map(fleet.agents.map((a) => [a.id, a]));
  const alive = fleet.agents.filter((a) => a.alive).length;
  const up = fleet.servers.filter((s) => serverStatus(s, fleet, agentsById)[0] === 'up').length;
  return html`<div class="cards" id="totals">
    <div class="card"><div class="muted">Agents alive</div><div class="big">${alive} / ${fleet.agents.length}</div></div>
    <div class="card"><div class="muted">Servers up</div><div class="big">${up} / ${fleet.servers.length}</div></div>
    <div class="card"><div class="muted">Alerts</div><div class="big" id="alert-totals"><${AlertCounts} counts=${fleet.alertCounts} /></div></div>
  </div>`;
}

/**
 * The overview page; `prefs` gives the refresh interval.
 * @param {{ prefs: import('../../lib/api.js').Preferences }} props
 */
export function OverviewPage({ prefs }) {
  const fleet = usePoll(getFleet, 'fleet', prefs.refreshIntervalS);
  const cluster = usePoll(getCluster, 'cluster', prefs.refreshIntervalS);
  return html`<section id="fleet-view">
    <${StatusBar} poll=${fleet} intervalS=${prefs.refreshIntervalS} />
    ${fleet.data ? html`<${Totals} fleet=${fleet.data} />` : ''}
    <${ClusterPanel} cluster=${cluster.data} />
    ${fleet.data ? html`<${AgentsTable} fleet=${fleet.data} /><${ServersTable} fleet=${fleet.data} />` : ''}
  </section>`;
}
