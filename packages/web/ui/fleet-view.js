// Renders the fleet into the agents and servers tables. Rows are keyed by id
// and updated in place (only cells whose text changed are touched), so an
// automatic refresh keeps the user's scroll position, selection and focus.
import * as v from './values.js';

/** Server data older than this many heartbeat intervals (at least 60 s) counts as stale. */
const STALE_INTERVALS = 3;

function agentStatus(a) {
  if (!a.active) return ['inactive', 'off'];
  if (a.lastHeartbeat === null) return ['never seen', 'warn'];
  return a.alive ? ['alive', 'ok'] : ['down', 'bad'];
}

function serverStatus(s, fleet, agentsById) {
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

/** Cells of one agent row: [text, className?] (the first is the status badge). */
function agentCells(a) {
  const [status, tone] = agentStatus(a);
  return [
    [status, `badge status-${tone}`],
    [String(a.id), 'num'],
    [a.name],
    [a.hostAddress ?? ''],
    [a.version ?? ''],
    [a.heartbeatAgeS === null ? 'never' : `${v.duration(a.heartbeatAgeS)} ago`],
    [v.cpu(v.latestOf(a.latest, 'cpu')), 'num'],
    [v.load(v.latestOf(a.latest, 'load_avg')), 'num'],
    [v.memory(v.latestOf(a.latest, 'memory'))],
  ];
}

function serverCells(s, fleet, agentsById) {
  const [status, tone] = serverStatus(s, fleet, agentsById);
  const why = status === 'down' ? v.downReason(v.latestOf(s.latest, 'server_up')) : '';
  const info = v.latestOf(s.latest, 'server_info');
  const totals = v.databaseTotals(s.latest);
  return [
    [status, `badge status-${tone}`, why],
    [String(s.id), 'num'],
    [s.name + (s.isPemBackend ? ' (PEM backend)' : '')],
    [`${s.host}:${s.port}`],
    [s.agentName ?? (s.agentId === null ? 'unbound' : `agent ${s.agentId}`)],
    [v.role(info)],
    [v.version(info)],
    [v.uptime(info)],
    [v.connections(s.latest)],
    [totals ? v.count(totals.commits) : '', 'num'],
    [v.cacheHit(totals, s.latest), 'num'],
    [v.replicationLag(s.latest)],
    [newestSampleAge(s.latest)],
  ];
}

function setCell(td, [text, cls, title]) {
  // The status badge is a span inside the cell; other cells hold text.
  if (cls?.startsWith('badge')) {
    let span = td.firstElementChild;
    if (!span) {
      span = document.createElement('span');
      td.replaceChildren(span);
    }
    if (span.textContent !== text) span.textContent = text;
    if (span.className !== cls) span.className = cls;
    if (span.title !== (title ?? '')) span.title = title ?? '';
    return;
  }
  if (td.textContent !== text) td.textContent = text;
  const want = cls ?? '';
  if (td.className !== want) td.className = want;
}

/** Makes `tbody` show one row per item, in order, updating rows in place by `data-id`. */
function sync(tbody, items, cellsOf) {
  const existing = new Map([...tbody.rows].map((tr) => [tr.dataset.id, tr]));
  let previous = null;
  for (const item of items) {
    const id = String(item.id);
    let tr = existing.get(id);
    existing.delete(id);
    const cells = cellsOf(item);
    if (!tr) {
      tr = document.createElement('tr');
      tr.dataset.id = id;
      for (let i = 0; i < cells.length; i++) tr.insertCell();
    }
    for (let i = 0; i < cells.length; i++) setCell(tr.cells[i], cells[i]);
    const wantedNext = previous ? previous.nextSibling : tbody.firstChild;
    if (tr !== wantedNext) tbody.insertBefore(tr, wantedNext);
    previous = tr;
  }
  for (const tr of existing.values()) tr.remove();
}

/** Shows `fleet` (the GET /api/fleet answer) in the page's two tables. */
export function renderFleet(fleet) {
  const agentsById = new Map(fleet.agents.map((a) => [a.id, a]));
  sync(document.querySelector('#agents tbody'), fleet.agents, agentCells);
  sync(document.querySelector('#servers tbody'), fleet.servers, (s) => serverCells(s, fleet, agentsById));
  document.getElementById('agents-count').textContent = `(${fleet.agents.length})`;
  document.getElementById('servers-count').textContent = `(${fleet.servers.length})`;
}
