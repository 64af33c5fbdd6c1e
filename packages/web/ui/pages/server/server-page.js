// @ts-check
// Server analysis: the chosen charts over the chosen time range, downsampled
// by the backend to the chart's width, and the top tables by size, dead
// tuples and scans. A chart whose probe has no data for this server says so
// ("no data yet for this probe") instead of drawing an empty frame.
import { pointCount, TimeChart } from '../../components/chart.js';
import { RangePicker } from '../../components/range-picker.js';
import { StatusBar } from '../../components/status-bar.js';
import { TIME_RANGES } from '../../contract/time-ranges.js';
import { getLatest, getSeries, getServer } from '../../lib/api.js';
import { html, useState } from '../../lib/html.js';
import { usePoll } from '../../lib/poll.js';
import { href } from '../../lib/route.js';
import { MaintenanceBadge } from '../maintenance/maintenance-text.js';
import { CHARTS, chosenCharts, sourceFor, TABLE_STATS_PROBE } from './chart-catalog.js';
import { TopTables } from './top-tables.js';

/** @typedef {import('../../lib/api.js').Preferences} Preferences */
/** @typedef {import('./chart-catalog.js').Chart} Chart */
/** @typedef {import('./top-tables.js').TableRow} TableRow */
/**
 * A chart with what loading it found: the probes it lacks (`missing`), or its
 * source, the API's answer and the lines drawn.
 * @typedef {{ chart: Chart, missing: string[] }
 *   | { chart: Chart, missing?: undefined, source: import('./chart-catalog.js').ChartSource,
 *       answer: import('../../lib/api.js').SeriesAnswer, lines: import('../../components/chart.js').Line[] }} ChartItem
 */

/** Points to ask for: about one per horizontal pixel of a chart (two charts per row). */
function pointsForScreen() {
  const w = document.querySelector('main')?.clientWidth ?? 1200;
  return Math.max(50, Math.min(2000, Math.floor(w / (w > 1000 ? 2 : 1)) - 90));
}

/**
 * The server, its charts' series and its table statistics.
 * @param {number} id
 * @param {readonly Chart[]} charts
 * @param {number} rangeS
 */
async function loadServer(id, charts, rangeS) {
  const detail = await getServer(id);
  const present = new Set(detail.probes.map((p) => p.probe));
  const to = new Date();
  const from = new Date(to.getTime() - rangeS * 1000);
  const points = pointsForScreen();
  const series = await Promise.all(
    charts.map(async (chart) => {
      const source = sourceFor(chart, present);
      if (!source) return /** @type {ChartItem} */ ({ chart, missing: chart.sources.map((s) => s.probe) });
      const answer = await getSeries(id, {
        probe: source.probe,
        fields: source.fields,
        mode: source.mode,
        from: from.toISOString(),
        to: to.toISOString(),
        points,
      });
      return /** @type {ChartItem} */ ({ chart, source, answer, lines: chart.lines(answer) });
    }),
  );
  /** @type {TableRow[] | undefined} */
  const tables = present.has(TABLE_STATS_PROBE)
    ? (await getLatest(/** @type {number} */ (id), TABLE_STATS_PROBE)).rows
    : undefined;
  return { detail, series, tables };
}

/** @param {{ item: ChartItem }} props */
function ChartCard({ item }) {
  const { chart } = item;
  let body;
  if (item.missing) {
    body = html`<p class="no-data">No data yet for this probe (${item.missing.join(' / ')}): the agent does not collect it for this server yet.</p>`;
  } else if (pointCount(item.lines) === 0) {
    body = html`<p class="no-data">No data in this time range (probe ${item.source.probe}).</p>`;
  } else {
    body = html`<${TimeChart} id=${chart.id} t=${item.answer.t} lines=${item.lines} unit=${chart.unit} />`;
  }
  const resets = item.missing ? 0 : Math.max(0, ...item.answer.series.map((s) => s.resets ?? 0));
  return html`<div class="chart-card" data-chart=${chart.id} data-points=${item.missing ? 0 : pointCount(item.lines)}>
    <h3>${chart.title}${resets > 0 ? html` <span class="muted" title="counter resets left out of the rate">(${resets} reset${resets > 1 ? 's' : ''})</span>` : ''}</h3>
    ${body}
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
 * The analysis page of server `id`.
 * @param {{ id: number, prefs: Preferences, onSave: (change: Partial<Preferences>) => void }} props
 */
export function ServerPage({ id, prefs, onSave }) {
  const charts = chosenCharts(prefs.dashboards);
  const rangeS = (TIME_RANGES[prefs.timeRange] ?? TIME_RANGES['1h']).seconds;
  const key = `${id}|${prefs.timeRange}|${charts.map((c) => c.id).join(',')}`;
  const poll = usePoll(() => loadServer(id, charts, rangeS), key, prefs.refreshIntervalS);
  const d = poll.data;
  return html`<section id="server-view" data-server-id=${id}>
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <div class="page-head">
      <h2 id="server-title">${d ? d.detail.name : `Server ${id}`}
        ${d ? html` <span class="count">${d.detail.host}:${d.detail.port} · agent ${d.detail.agentName ?? 'unbound'}</span>` : ''}</h2>
      <div class="tools">
        <${RangePicker} value=${prefs.timeRange} onChange=${(/** @type {Preferences['timeRange']} */ timeRange) => onSave({ timeRange })} />
        <${ChartChooser} prefs=${prefs} onSave=${onSave} />
      </div>
    </div>
    ${
      d?.detail.maintenance
        ? html`<p id="server-maintenance" class="notice"><${MaintenanceBadge} m=${d.detail.maintenance} long=${true} />
      — its alerts are recorded but notify nobody (<a href=${href.maintenance()}>maintenance windows</a>)</p>`
        : ''
    }
    ${
      d
        ? html`<div class="charts">${d.series.map((item) => html`<${ChartCard} key=${item.chart.id} item=${item} />`)}</div>
          <${TopTables} rows=${d.tables} />`
        : html`<p class="muted">Loading…</p>`
    }
  </section>`;
}
