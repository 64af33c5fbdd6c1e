// The agents and servers tables of the overview. Rows are keyed by id, so
// Preact updates them in place on every refresh: the user's scroll position,
// selection and focus stay where they were.
import { html } from '../../lib/html.js';
import * as v from '../../lib/probe-values.js';

/** Server data older than this many heartbeat intervals (at least 60 s) counts as stale. */
const STALE_INTERVALS = 3;

function agentStatus(a) {
  if (!a.active) return ['inactive', 'off'];
  if (a.lastHeartbeat === null) return ['never seen', 'warn'];
  return a.alive ? ['alive', 'ok'] : ['down', 'bad'];
}

/** [text, tone] of a server's status. */
export function serverStatus(s, fleet, agentsById) {
  if (!s.active) return ['inactive', 'off'];
  const up = v.latestOf(s.latest, 'server_up');
  if (up === undefined) return ['no data', 'warn'];
  const staleS = Math.max(60, STALE_INTERVALS * fleet.heartbeatIntervalS);
  const agent = agentsById.get(s.agentId);
  if (agent && !agent.alive) return ['agent down', 'warn'];
  if (up.ageS > staleS) return ['stale', 'warn'];
  const isUp = v.isUp(up);
  if (isUp === undefined) return ['unknown', 'warn'];
  return isUp ? ['up', 'ok'] : ['down', 'bad'];
}

function newestSampleAge(latest) {
  let min;
  for (const list of Object.values(latest ?? {}))
    for (const e of list) if (min === undefined || e.ageS < min) min = e.ageS;
  return min === undefined ? '' : `${v.duration(min)} ago`;
}

function Badge({ text, tone, title }) {
  return html`<span class=${`badge status-${tone}`} title=${title ?? ''}>${text}</span>`;
}

/** Alert counts as small badges ("2 high · 1 low"), or an em dash. */
export function AlertCounts({ counts }) {
  const parts = ['high', 'medium', 'low'].filter((l) => counts?.[l] > 0);
  if (parts.length === 0) return html`<span class="muted">—</span>`;
  return parts.map((l) => html`<span key=${l} class=${`badge alert-${l}`}>${counts[l]} ${l}</span> `);
}

function AgentRow({ a }) {
  const [status, tone] = agentStatus(a);
  return html`<tr data-id=${a.id}>
    <td><${Badge} text=${status} tone=${tone} /></td>
    <td class="num">${a.id}</td>
    <td>${a.name}</td>
    <td>${a.hostAddress ?? ''}</td>
    <td>${a.version ?? ''}</td>
    <td>${a.heartbeatAgeS === null ? 'never' : `${v.duration(a.heartbeatAgeS)} ago`}</td>
    <td class="num">${v.cpu(v.latestOf(a.latest, 'cpu'))}</td>
    <td class="num">${v.load(v.latestOf(a.latest, 'load_avg'))}</td>
    <td>${v.memory(v.latestOf(a.latest, 'memory'))}</td>
    <td><${AlertCounts} counts=${a.alerts} /></td>
  </tr>`;
}

function ServerRow({ s, fleet, agentsById }) {
  const [status, tone] = serverStatus(s, fleet, agentsById);
  const why = status === 'down' ? v.downReason(v.latestOf(s.latest, 'server_up')) : '';
  const info = v.latestOf(s.latest, 'server_info');
  const totals = v.databaseTotals(s.latest);
  return html`<tr data-id=${s.id}>
    <td><${Badge} text=${status} tone=${tone} title=${why} /></td>
    <td class="num">${s.id}</td>
    <td><a href=${`#/server/${s.id}`}>${s.name}</a>${s.isPemBackend ? ' (PEM backend)' : ''}</td>
    <td>${s.host}:${s.port}</td>
    <td>${s.agentName ?? (s.agentId === null ? 'unbound' : `agent ${s.agentId}`)}</td>
    <td>${v.role(info)}</td>
    <td>${v.version(info)}</td>
    <td>${v.uptime(info)}</td>
    <td>${v.connections(s.latest)}</td>
    <td class="num">${totals ? v.count(totals.commits) : ''}</td>
    <td class="num">${v.cacheHit(totals, s.latest)}</td>
    <td>${v.replicationLag(s.latest)}</td>
    <td><${AlertCounts} counts=${s.alerts} /></td>
    <td>${newestSampleAge(s.latest)}</td>
  </tr>`;
}

/** The agents table of `fleet` (GET /api/fleet). */
export function AgentsTable({ fleet }) {
  return html`<h2>Agents <span class="count" id="agents-count">(${fleet.agents.length})</span></h2>
    <div class="table-wrap">
      <table id="agents">
        <thead><tr>
          <th>Status</th><th>ID</th><th>Name</th><th>Address</th><th>Version</th>
          <th>Last heartbeat</th><th>CPU</th><th>Load (1/5/15)</th><th>Memory</th><th>Alerts</th>
        </tr></thead>
        <tbody>${fleet.agents.map((a) => html`<${AgentRow} key=${a.id} a=${a} />`)}</tbody>
      </table>
    </div>`;
}

/** The servers table of `fleet`; a server's name links to its analysis page. */
export function ServersTable({ fleet }) {
  const agentsById = new Map(fleet.agents.map((a) => [a.id, a]));
  return html`<h2>Servers <span class="count" id="servers-count">(${fleet.servers.length})</span></h2>
    <div class="table-wrap">
      <table id="servers">
        <thead><tr>
          <th>Status</th><th>ID</th><th>Name</th><th>Host</th><th>Agent</th><th>Role</th><th>Version</th><th>Uptime</th>
          <th>Connections</th><th>Commits</th><th>Cache hit</th><th>Replication lag</th><th>Alerts</th><th>Last sample</th>
        </tr></thead>
        <tbody>${fleet.servers.map((s) => html`<${ServerRow} key=${s.id} s=${s} fleet=${fleet} agentsById=${agentsById} />`)}</tbody>
      </table>
    </div>`;
}
