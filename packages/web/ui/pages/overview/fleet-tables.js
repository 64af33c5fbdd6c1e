// @ts-check
// The agents and servers tables of the overview. Rows are keyed by id, so
// Preact updates them in place on every refresh: the user's scroll position,
// selection and focus stay where they were.
import { AlertCounts, Badge } from '../../components/badges.js';
import { Table } from '../../components/table.js';
import { count, duration } from '../../lib/format.js';
import { html } from '../../lib/html.js';
import * as v from '../../lib/probe-values.js';
import { href } from '../../lib/route.js';
import { MaintenanceBadge } from '../maintenance/maintenance-text.js';

/** @typedef {import('../../lib/api.js').Fleet} Fleet */
/** @typedef {import('../../lib/api.js').FleetAgent} FleetAgent */
/** @typedef {import('../../lib/api.js').FleetServer} FleetServer */
/** @typedef {import('../../components/badges.js').Tone} Tone */

/** Server data older than this many heartbeat intervals (at least 60 s) counts as stale. */
const STALE_INTERVALS = 3;

/**
 * [text, tone] of an agent's status.
 * @param {FleetAgent} a
 * @returns {[string, Tone]}
 */
function agentStatus(a) {
  if (!a.active) return ['inactive', 'off'];
  if (a.lastHeartbeat === null) return ['never seen', 'warn'];
  return a.alive ? ['alive', 'ok'] : ['down', 'bad'];
}

/**
 * [text, tone] of a server's status.
 * @param {FleetServer} s
 * @param {Fleet} fleet
 * @param {Map<number, FleetAgent>} agentsById
 * @returns {[string, Tone]}
 */
export function serverStatus(s, fleet, agentsById) {
  if (!s.active) return ['inactive', 'off'];
  const up = v.latestOf(s.latest, 'server_up');
  if (up === undefined) return ['no data', 'warn'];
  const staleS = Math.max(60, STALE_INTERVALS * fleet.heartbeatIntervalS);
  const agent = s.agentId === null ? undefined : agentsById.get(s.agentId);
  if (agent && !agent.alive) return ['agent down', 'warn'];
  if (up.ageS > staleS) return ['stale', 'warn'];
  const isUp = v.isUp(up);
  if (isUp === undefined) return ['unknown', 'warn'];
  return isUp ? ['up', 'ok'] : ['down', 'bad'];
}

/**
 * "12 s ago": the age of the newest value of any probe, '' when none.
 * @param {import('../../lib/api.js').LatestByProbe} latest
 */
function newestSampleAge(latest) {
  /** @type {number | undefined} */
  let min;
  for (const list of Object.values(latest ?? {}))
    for (const e of list ?? []) if (min === undefined || e.ageS < min) min = e.ageS;
  return min === undefined ? '' : `${duration(min)} ago`;
}

/** @param {{ a: FleetAgent }} props */
function AgentRow({ a }) {
  const [status, tone] = agentStatus(a);
  return html`<tr data-id=${a.id}>
    <td><${Badge} text=${status} tone=${tone} /></td>
    <td class="num">${a.id}</td>
    <td>${a.name} <${MaintenanceBadge} m=${a.maintenance} /></td>
    <td>${a.hostAddress ?? ''}</td>
    <td>${a.version ?? ''}</td>
    <td>${a.heartbeatAgeS === null ? 'never' : `${duration(a.heartbeatAgeS)} ago`}</td>
    <td class="num">${v.cpu(v.latestOf(a.latest, 'cpu'))}</td>
    <td class="num">${v.load(v.latestOf(a.latest, 'load_avg'))}</td>
    <td>${v.memory(v.latestOf(a.latest, 'memory'))}</td>
    <td><${AlertCounts} counts=${a.alerts} /></td>
  </tr>`;
}

/** @param {{ s: FleetServer, fleet: Fleet, agentsById: Map<number, FleetAgent> }} props */
function ServerRow({ s, fleet, agentsById }) {
  const [status, tone] = serverStatus(s, fleet, agentsById);
  const why = status === 'down' ? v.downReason(v.latestOf(s.latest, 'server_up')) : '';
  const info = v.latestOf(s.latest, 'server_info');
  const totals = v.databaseTotals(s.latest);
  return html`<tr data-id=${s.id}>
    <td><${Badge} text=${status} tone=${tone} title=${why} /></td>
    <td class="num">${s.id}</td>
    <td><a href=${href.server(s.id)}>${s.name}</a>${s.isPemBackend ? ' (PEM backend)' : ''} <${MaintenanceBadge} m=${s.maintenance} /></td>
    <td>${s.host}:${s.port}</td>
    <td>${s.agentName ?? (s.agentId === null ? 'unbound' : `agent ${s.agentId}`)}</td>
    <td>${v.role(info)}</td>
    <td>${v.version(info)}</td>
    <td>${v.uptime(info, fleet.asOf)}</td>
    <td>${v.connections(s.latest)}</td>
    <td class="num">${totals ? count(totals.commits) : ''}</td>
    <td class="num">${v.cacheHit(totals, s.latest)}</td>
    <td>${v.replicationLag(s.latest)}</td>
    <td><${AlertCounts} counts=${s.alerts} /></td>
    <td>${newestSampleAge(s.latest)}</td>
  </tr>`;
}

const AGENT_HEAD = [
  'Status',
  'ID',
  'Name',
  'Address',
  'Version',
  'Last heartbeat',
  'CPU',
  'Load (1/5/15)',
  'Memory',
  'Alerts',
];

const SERVER_HEAD = [
  'Status',
  'ID',
  'Name',
  'Host',
  'Agent',
  'Role',
  'Version',
  'Uptime',
  'Connections',
  'Commits',
  'Cache hit',
  'Replication lag',
  'Alerts',
  'Last sample',
];

/**
 * The agents table of `fleet` (GET /api/fleet).
 * @param {{ fleet: Fleet }} props
 */
export function AgentsTable({ fleet }) {
  return html`<h2>Agents <span class="count" id="agents-count">(${fleet.agents.length})</span></h2>
    <${Table} id="agents" head=${AGENT_HEAD}>${fleet.agents.map((a) => html`<${AgentRow} key=${a.id} a=${a} />`)}</${Table}>`;
}

/**
 * The servers table of `fleet`; a server's name links to its analysis page.
 * @param {{ fleet: Fleet }} props
 */
export function ServersTable({ fleet }) {
  const agentsById = new Map(fleet.agents.map((a) => [a.id, a]));
  return html`<h2>Servers <span class="count" id="servers-count">(${fleet.servers.length})</span></h2>
    <${Table} id="servers" head=${SERVER_HEAD}>${fleet.servers.map(
      (s) => html`<${ServerRow} key=${s.id} s=${s} fleet=${fleet} agentsById=${agentsById} />`,
    )}</${Table}>`;
}
