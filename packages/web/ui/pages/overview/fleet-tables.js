// @ts-check
// The agents and servers tables of the overview, one page of each (the API
// pages them, problems first unless the user orders otherwise), with their
// pagers. Rows are keyed by id, so Preact updates them in place on every
// refresh: the user's scroll position, selection and focus stay where they were.
import { AlertCounts, Badge } from '../../components/badges.js';
import { Table } from '../../components/table.js';
import { duration, quantity } from '../../lib/format.js';
import { html } from '../../lib/html.js';
import * as v from '../../lib/probe-values.js';
import { href } from '../../lib/route.js';
import { serverState } from '../../lib/server-state.js';
import { MaintenanceBadge } from '../maintenance/maintenance-text.js';

/** @typedef {import('../../lib/api.js').Fleet} Fleet */
/** @typedef {import('../../lib/api.js').FleetAgent} FleetAgent */
/** @typedef {import('../../lib/api.js').FleetServer} FleetServer */
/** @typedef {import('../../components/badges.js').Tone} Tone */

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
 * [text, tone, why] of a server's status (lib/server-state.js; the backend
 * decides the same word by the same rules for its filters and order).
 * @param {FleetServer} s
 * @param {Fleet} fleet
 */
export function serverStatus(s, fleet) {
  return serverState({
    active: s.active,
    up: v.latestOf(s.latest, 'server_up'),
    agentAlive: s.agentAlive ?? undefined,
    heartbeatIntervalS: fleet.heartbeatIntervalS,
  });
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
    <td><a href=${href.host(a.id)}>${a.name}</a> <${MaintenanceBadge} m=${a.maintenance} /></td>
    <td>${a.hostAddress ?? ''}</td>
    <td>${a.version ?? ''}</td>
    <td>${a.heartbeatAgeS === null ? 'never' : `${duration(a.heartbeatAgeS)} ago`}</td>
    <td class="num">${v.cpu(v.latestOf(a.latest, 'cpu'))}</td>
    <td class="num">${v.load(v.latestOf(a.latest, 'load_avg'))}</td>
    <td>${v.memory(v.latestOf(a.latest, 'memory'))}</td>
    <td><${AlertCounts} counts=${a.alerts} /></td>
  </tr>`;
}

/** @param {{ s: FleetServer, fleet: Fleet }} props */
function ServerRow({ s, fleet }) {
  const [status, tone, why] = serverStatus(s, fleet);
  const info = v.latestOf(s.latest, 'server_info');
  const w = s.window;
  const over = w ? `over the ${w.seconds} s between the two newest samples` : 'needs two samples';
  // Values of a server that is not up are its last ones: greyed out (review B7).
  return html`<tr data-id=${s.id} class=${status === 'up' ? '' : 'not-current'}>
    <td><${Badge} text=${status} tone=${tone} title=${why} /></td>
    <td class="num">${s.id}</td>
    <td class="wrap name"><a href=${href.server(s.id)}>${s.name}</a>${s.isPemBackend ? html` <span class="muted">(PEM backend)</span>` : ''} <${MaintenanceBadge} m=${s.maintenance} /></td>
    <td>${s.host}:${s.port}</td>
    <td>${s.agentName ?? (s.agentId === null ? 'unbound' : `agent ${s.agentId}`)}</td>
    <td>${v.role(info)}</td>
    <td>${v.version(info)}</td>
    <td>${v.uptime(info, fleet.asOf)}</td>
    <td class="wrap connections">${v.connections(s.latest)}</td>
    <td class="num" title=${over}>${w ? quantity(w.commitsPerS, '/s') : ''}</td>
    <td class="num" title=${over}>${w ? quantity(w.cacheHitPct, 'percent') : ''}</td>
    <td class="wrap lag">${v.replicationLagLines(s.latest).map((line) => html`<div key=${line}>${line}</div>`)}</td>
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
  'Commits/s',
  'Cache hit',
  'Replication lag',
  'Alerts',
  'Last sample',
];

/**
 * "Previous" and "next" buttons and the rows shown of those that match, for
 * the page of `what` (servers or agents) starting at `offset`.
 * @param {{ what: string, offset: number, shown: number, limit: number, matched: number, onOffset: (o: number) => void }} props
 */
export function Pager({ what, offset, shown, limit, matched, onOffset }) {
  if (matched <= limit && offset === 0) return '';
  const range = shown === 0 ? `none of ${matched}` : `${offset + 1}–${offset + shown} of ${matched}`;
  return html`<div class="pager" id=${`${what}-pager`}>
    <button type="button" id=${`${what}-prev`} disabled=${offset === 0} onClick=${() => onOffset(Math.max(0, offset - limit))}>Previous</button>
    <span class="muted" id=${`${what}-range`}>${range}</span>
    <button type="button" id=${`${what}-next`} disabled=${offset + limit >= matched} onClick=${() => onOffset(offset + limit)}>Next</button>
  </div>`;
}

/**
 * The agents table of `fleet`'s page (GET /api/fleet); the count is of the agents that match.
 * @param {{ fleet: Fleet, onOffset: (o: number) => void }} props
 */
export function AgentsTable({ fleet, onOffset }) {
  const p = fleet.page;
  return html`<h2>Agents <span class="count" id="agents-count">(${p.agentsMatched})</span></h2>
    <${Pager} what="agents" offset=${p.agentOffset} shown=${fleet.agents.length} limit=${p.limit} matched=${p.agentsMatched} onOffset=${onOffset} />
    <${Table} id="agents" head=${AGENT_HEAD}>${fleet.agents.map((a) => html`<${AgentRow} key=${a.id} a=${a} />`)}</${Table}>`;
}

/**
 * The servers table of `fleet`'s page; a server's name links to its analysis
 * page; the count is of the servers that match the filters.
 * @param {{ fleet: Fleet, onOffset: (o: number) => void }} props
 */
export function ServersTable({ fleet, onOffset }) {
  const p = fleet.page;
  return html`<h2>Servers <span class="count" id="servers-count">(${p.serversMatched})</span></h2>
    <${Pager} what="servers" offset=${p.offset} shown=${fleet.servers.length} limit=${p.limit} matched=${p.serversMatched} onOffset=${onOffset} />
    <${Table} id="servers" head=${SERVER_HEAD}>${fleet.servers.map(
      (s) => html`<${ServerRow} key=${s.id} s=${s} fleet=${fleet} />`,
    )}</${Table}>`;
}
