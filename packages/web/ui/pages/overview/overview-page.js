// @ts-check
// Global overview: fleet totals and alert counts, the HA cluster, then a page
// of agents and a page of servers (GET /api/fleet pages them: problems first
// unless the user orders by name or id), with filters of the servers by name,
// status and cluster. A fleet smaller than a page shows whole, as before.
// The fleet and the cluster refresh on their own; a failing backend leaves
// the last data on screen with a banner.
import { AlertCounts } from '../../components/badges.js';
import { StatusBar } from '../../components/status-bar.js';
import { getCluster, getFleet } from '../../lib/api.js';
import { listClusters } from '../../lib/fleet-api.js';
import { html, useEffect, useRef, useState } from '../../lib/html.js';
import { usePoll } from '../../lib/poll.js';
import { ClusterPanel } from './cluster-panel.js';
import { AgentsTable, ServersTable } from './fleet-tables.js';

/** Servers (and agents) per page. */
export const PAGE_SIZE = 100;

/** The status filter's choices: value (the API's `status` list) and label. */
const STATUS_CHOICES = [
  ['', 'any status'],
  ['down,agent down,stale,no data,unknown', 'not up'],
  ['down', 'down'],
  ['agent down', 'agent down'],
  ['stale', 'stale'],
  ['no data', 'no data'],
  ['unknown', 'unknown'],
  ['up', 'up'],
  ['inactive', 'inactive'],
];

/** @param {{ fleet: import('../../lib/api.js').Fleet }} props */
function Totals({ fleet }) {
  const t = fleet.totals;
  return html`<div class="cards" id="totals">
    <div class="card"><div class="muted">Agents alive</div><div class="big">${t.agentsAlive} / ${t.agents}</div></div>
    <div class="card"><div class="muted">Servers up</div><div class="big">${t.serversByStatus.up ?? 0} / ${t.servers}</div></div>
    <div class="card"><div class="muted">Alerts</div><div class="big" id="alert-totals"><${AlertCounts} counts=${fleet.alertCounts} /></div></div>
  </div>`;
}

/**
 * @typedef {{ name: string, status: string, cluster: string, order: 'problems' | 'name' | 'id' }} Filters
 */

/**
 * The filters of the servers (name, status, cluster) and the order of both tables.
 * @param {{ filters: Filters, clusters: { id: number, name: string }[], onChange: (f: Filters) => void }} props
 */
function FilterBar({ filters, clusters, onChange }) {
  /** @param {keyof Filters} key @returns {(e: Event) => void} */
  const set = (key) => (e) =>
    onChange({ ...filters, [key]: /** @type {HTMLInputElement} */ (e.currentTarget).value });
  return html`<form class="filters" id="fleet-filters" onSubmit=${(/** @type {Event} */ e) => e.preventDefault()}>
    <label>Name <input id="fleet-name" type="search" value=${filters.name} onInput=${set('name')} placeholder="part of a name" /></label>
    <label>Status <select id="fleet-status" value=${filters.status} onChange=${set('status')}>
      ${STATUS_CHOICES.map(([v, label]) => html`<option value=${v}>${label}</option>`)}
    </select></label>
    ${
      clusters.length > 0
        ? html`<label>Cluster <select id="fleet-cluster" value=${filters.cluster} onChange=${set('cluster')}>
            <option value="">any cluster</option>
            ${clusters.map((c) => html`<option value=${String(c.id)}>${c.name}</option>`)}
          </select></label>`
        : ''
    }
    <label>Order <select id="fleet-order" value=${filters.order} onChange=${set('order')}>
      <option value="problems">problems first</option><option value="name">by name</option><option value="id">by id</option>
    </select></label>
  </form>`;
}

/**
 * The overview page; `prefs` gives the refresh interval.
 * @param {{ prefs: import('../../lib/api.js').Preferences }} props
 */
export function OverviewPage({ prefs }) {
  /** @type {[Filters, (f: Filters) => void]} */
  const [filters, setFilters] = useState(
    /** @type {Filters} */ ({ name: '', status: '', cluster: '', order: 'problems' }),
  );
  const [offset, setOffset] = useState(0);
  const [agentOffset, setAgentOffset] = useState(0);
  const q = {
    limit: PAGE_SIZE,
    offset: offset || undefined,
    agentOffset: agentOffset || undefined,
    order: filters.order === 'problems' ? undefined : filters.order,
    status: filters.status || undefined,
    cluster: filters.cluster ? Number(filters.cluster) : undefined,
    name: filters.name.trim() || undefined,
  };
  const fleet = usePoll(() => getFleet(q), 'fleet', prefs.refreshIntervalS);
  const cluster = usePoll(getCluster, 'cluster', prefs.refreshIntervalS);
  const clusters = usePoll(listClusters, 'clusters', 0);
  // A new page or filter is read at once (the poll keeps showing the last answer meanwhile).
  const asked = JSON.stringify(q);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else fleet.reload();
  }, [asked]);
  /** @param {Filters} f */
  const onFilters = (f) => {
    setFilters(f);
    setOffset(0);
    setAgentOffset(0);
  };
  return html`<section id="fleet-view">
    <${StatusBar} poll=${fleet} intervalS=${prefs.refreshIntervalS} />
    ${fleet.data ? html`<${Totals} fleet=${fleet.data} />` : ''}
    <${ClusterPanel} cluster=${cluster.data} />
    <${FilterBar} filters=${filters} clusters=${clusters.data ?? []} onChange=${onFilters} />
    ${
      fleet.data
        ? html`<${AgentsTable} fleet=${fleet.data} onOffset=${setAgentOffset} /><${ServersTable} fleet=${fleet.data} onOffset=${setOffset} />`
        : ''
    }
  </section>`;
}
