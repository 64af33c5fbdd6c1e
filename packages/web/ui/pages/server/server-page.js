// @ts-check
// Server analysis: the server's state (a banner when it is not up), the
// chosen charts over the chosen time range, downsampled by the backend to
// the chart's width, and the top tables by size, dead tuples and scans. A
// chart whose probe has no data for this server says why (lib/no-data.js)
// instead of drawing an empty frame; a server that does not exist is "not
// found", not retried forever.

import { Badge } from '../../components/badges.js';
import { pointCount, TimeChart } from '../../components/chart.js';
import { ChartGrid, loadCharts, pointsForScreen } from '../../components/chart-grid.js';
import { noDataContext } from '../../components/no-data-note.js';
import { RangePicker } from '../../components/range-picker.js';
import { StatusBar } from '../../components/status-bar.js';
import { NEWEST_TESTED_MAJOR } from '../../contract/tested-majors.js';
import { TIME_RANGES } from '../../contract/time-ranges.js';
import { getLatest, getSeries, getServer } from '../../lib/api.js';
import { duration } from '../../lib/format.js';
import { html, useState } from '../../lib/html.js';
import { isGone, usePoll } from '../../lib/poll.js';
import { href } from '../../lib/route.js';
import { serverState } from '../../lib/server-state.js';
import { MaintenanceBadge } from '../maintenance/maintenance-text.js';
import { NotFoundPage } from '../not-found/not-found-page.js';
import { CHARTS, chosenCharts, TABLE_STATS_PROBE } from './chart-catalog.js';
import { loadCustomCharts } from './custom-charts.js';
import { Databases } from './databases.js';
import { TopTables } from './top-tables.js';

/** @typedef {import('../../lib/api.js').Preferences} Preferences */
/** @typedef {import('./chart-catalog.js').Chart} Chart */
/** @typedef {import('./top-tables.js').TableRow} TableRow */

/**
 * The server, its charts' series and its table statistics.
 * @param {number} id
 * @param {readonly Chart[]} charts
 * @param {number} rangeS
 */
async function loadServer(id, charts, rangeS) {
  const detail = await getServer(id);
  const present = new Set(detail.probes.map((p) => p.probe));
  const series = await loadCharts((p) => getSeries(id, p), charts, present, rangeS);
  /**
   * @template V
   * @param {string} probe
   * @returns {Promise<import('../../lib/api.js').LatestValue<V>[] | undefined>}
   */
  const latest = async (probe) => (present.has(probe) ? (await getLatest(id, probe)).rows : undefined);
  const [tables, size, activity, xid] = await Promise.all([
    /** @type {Promise<TableRow[] | undefined>} */ (latest(TABLE_STATS_PROBE)),
    latest('database_size'),
    latest('database_activity'),
    latest('xid_wraparound'),
  ]);
  /** @type {import('./databases.js').DatabaseRows} */
  const databases = {
    size: /** @type {import('./databases.js').DatabaseRows['size']} */ (size),
    activity: /** @type {import('./databases.js').DatabaseRows['activity']} */ (activity),
    xid: /** @type {import('./databases.js').DatabaseRows['xid']} */ (xid),
  };
  const to = new Date();
  const custom = await loadCustomCharts(id, present, {
    from: new Date(to.getTime() - rangeS * 1000).toISOString(),
    to: to.toISOString(),
    points: pointsForScreen(),
  });
  return { detail, series, tables, databases, custom };
}

/** @param {{ chart: import('./custom-charts.js').CustomChart }} props */
function CustomChartCard({ chart }) {
  const n = pointCount(chart.lines);
  return html`<div class="chart-card" data-chart=${`custom-${chart.id}`} data-probe=${chart.probe} data-points=${n}>
    <h3>${chart.title}</h3>
    ${n === 0 ? html`<p class="no-data">No data in this time range (probe ${chart.probe}).</p>` : html`<${TimeChart} id=${`custom-${chart.id}`} t=${chart.answer.t} lines=${chart.lines} unit=${chart.unit} />`}
  </div>`;
}

/**
 * The "Charts…" button and the list of charts to show (a preference).
 * @param {{ prefs: Preferences, onSave: (change: Partial<Preferences>) => void }} props
 */
function ChartChooser({ prefs, onSave }) {
  const [open, setOpen] = useState(false);
  const chosen = new Set(prefs.dashboards.length ? prefs.dashboards : CHARTS.map((c) => c.id));
  /** @param {string} id */
  const toggle = (id) => {
    const next = CHARTS.map((c) => c.id).filter((x) => (x === id ? !chosen.has(x) : chosen.has(x)));
    onSave({ dashboards: next.length === CHARTS.length ? [] : next });
  };
  return html`<div class="chooser">
    <button type="button" id="choose-charts" onClick=${() => setOpen(!open)}>Charts…</button>
    ${
      open
        ? html`<div class="chooser-list" id="chart-chooser">${CHARTS.map(
            (
              c,
            ) => html`<label key=${c.id}><input type="checkbox" data-chart-id=${c.id} checked=${chosen.has(c.id)}
              onChange=${() => toggle(c.id)} /> ${c.title}</label>`,
          )}</div>`
        : ''
    }
  </div>`;
}

/**
 * The server's state as a banner when it is not up (review B7: a down
 * server's page gave no sign; its charts just stopped), and its role and
 * version beside the title.
 * @param {{ d: import('../../lib/api.js').ServerDetail }} props
 */
export function ServerStateBanner({ d }) {
  const [word, tone, why] = serverState({
    active: d.active,
    up: d.status.up ?? undefined,
    agentAlive: d.status.agentAlive ?? undefined,
    heartbeatIntervalS: d.status.heartbeatIntervalS,
  });
  if (word === 'up') return '';
  const since = d.status.up ? ` Last checked ${duration(d.status.up.ageS)} ago.` : '';
  const sentence =
    {
      down: `The server is down${why ? `: ${why}` : ''}.${since} The charts end at its last sample.`,
      'agent down': `Its agent (${d.agentName ?? 'unbound'}) has stopped sending heartbeats${d.status.heartbeatAgeS === null ? '' : ` (last ${duration(d.status.heartbeatAgeS)} ago)`}: the server's state is unknown and its values are the last ones.`,
      stale: `No new data: ${why}. The values shown are the last ones.`,
      inactive: 'The server is not monitored (inactive).',
      'no data': 'No data from this server yet.',
    }[word] ?? why;
  return html`<p class="banner server-state" id="server-state" data-state=${word} data-tone=${tone} role="status">
    <${Badge} tone=${tone} text=${word} /> ${sentence}
  </p>`;
}

/**
 * A badge beside the title when the server's major is newer than the newest
 * the probe matrix tests (contract/tested-majors.ts): it is monitored with
 * that major's SQL, and the page says so.
 * @param {{ versionNum: number | null | undefined }} props
 */
export function UntestedMajor({ versionNum }) {
  const major = versionNum ? Math.floor(versionNum / 10000) : 0;
  if (major <= NEWEST_TESTED_MAJOR) return '';
  return html` <span id="untested-major"><${Badge} tone="warn" text="untested major"
    title=${`PostgreSQL ${major} is newer than the newest major Pharos tests (${NEWEST_TESTED_MAJOR}): monitored with the SQL of ${NEWEST_TESTED_MAJOR}`} /></span>`;
}

/**
 * The analysis page of server `id`.
 * @param {{ id: number, prefs: Preferences, onSave: (change: Partial<Preferences>) => void }} props
 */
export function ServerPage({ id, prefs, onSave }) {
  const charts = chosenCharts(prefs.dashboards);
  const rangeS = (TIME_RANGES[prefs.timeRange] ?? TIME_RANGES['1h']).seconds;
  const key = `${id}|${prefs.timeRange}|${charts.map((c) => c.id).join(',')}`;
  const poll = usePoll(() => loadServer(id, charts, rangeS), key, prefs.refreshIntervalS);
  const d = poll.data;
  if (!d && isGone(poll.error))
    return html`<${NotFoundPage} what=${`server ${id}`} why=${poll.error instanceof Error ? poll.error.message : ''} />`;
  const ctx = d ? noDataContext(d.detail) : undefined;
  return html`<section id="server-view" data-server-id=${id}>
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <div class="page-head">
      <h2 id="server-title">${d ? d.detail.name : `Server ${id}`}
        ${d ? html` <span class="count">${d.detail.host}:${d.detail.port} · ${[d.detail.status.role, d.detail.status.serverVersion?.split(' ')[0]].filter(Boolean).join(' ')} · ${d.detail.agentId === null ? 'unbound' : html`host <a href=${href.host(d.detail.agentId)} id="server-host">${d.detail.agentName ?? `agent ${d.detail.agentId}`}</a> · <a href=${href.sessions(id)} id="server-sessions">sessions</a>`} · <a href=${href.topSql(id)} id="server-top-sql">top SQL</a></span><${UntestedMajor} versionNum=${d.detail.status.versionNum} />` : ''}</h2>
      <div class="tools">
        <${RangePicker} value=${prefs.timeRange} onChange=${(/** @type {Preferences['timeRange']} */ timeRange) => onSave({ timeRange })} />
        <${ChartChooser} prefs=${prefs} onSave=${onSave} />
      </div>
    </div>
    ${d ? html`<${ServerStateBanner} d=${d.detail} />` : ''}
    ${
      d?.detail.maintenance
        ? html`<p id="server-maintenance" class="notice"><${MaintenanceBadge} m=${d.detail.maintenance} long=${true} />
      — its alerts are recorded but notify nobody (<a href=${href.maintenance()}>maintenance windows</a>)</p>`
        : ''
    }
    ${
      d && ctx
        ? html`<${ChartGrid} items=${d.series} ctx=${ctx} />
          ${d.custom.length > 0 ? html`<h3>Custom probes</h3><div class="charts" id="custom-charts">${d.custom.map((c) => html`<${CustomChartCard} key=${c.id} chart=${c} />`)}</div>` : ''}
          <${Databases} serverId=${id} rows=${d.databases} ctx=${ctx} />
          <${TopTables} serverId=${id} rows=${d.tables} ctx=${ctx} />`
        : html`<p class="muted">Loading…</p>`
    }
  </section>`;
}
