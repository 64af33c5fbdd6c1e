// @ts-check
// A grid of charts over a time range: loads each chart's series through
// the page's series reader (a server's, an agent's host's; optionally of
// one object: a database, a table, a query), about one point per pixel,
// and draws each, or says why its probe has no data (no-data-note.js).
import { sourceFor } from '../lib/chart-lines.js';
import { html } from '../lib/html.js';
import { pointCount, TimeChart } from './chart.js';
import { NoData } from './no-data-note.js';

/** @typedef {import('../lib/chart-lines.js').Chart} Chart */
/** @typedef {import('../lib/chart-lines.js').ChartSource} ChartSource */
/** @typedef {import('../lib/api.js').SeriesAnswer} SeriesAnswer */
/**
 * A chart with what loading it found: the probes it lacks (`missing`), or its
 * source, the API's answer and the lines drawn.
 * @typedef {{ chart: Chart, missing: string[] }
 *   | { chart: Chart, missing?: undefined, source: ChartSource, answer: SeriesAnswer,
 *       lines: import('./chart.js').Line[] }} ChartItem
 */
/**
 * Reads one source's series over [from, to] in about `points` buckets.
 * @typedef {(p: { probe: string, fields: readonly string[], mode: 'gauge' | 'rate', from: string, to: string, points: number }) => Promise<SeriesAnswer>} SeriesReader
 */

/** Points to ask for: about one per horizontal pixel of a chart (two charts per row). */
export function pointsForScreen() {
  const w = document.querySelector('main')?.clientWidth ?? 1200;
  return Math.max(50, Math.min(2000, Math.floor(w / (w > 1000 ? 2 : 1)) - 90));
}

/**
 * Loads `charts` over the last `rangeS` seconds: each from its first source
 * whose probe is in `present`, or "missing" when none is.
 * @param {SeriesReader} read
 * @param {readonly Chart[]} charts
 * @param {ReadonlySet<string>} present probes with data
 * @param {number} rangeS
 * @returns {Promise<ChartItem[]>}
 */
export async function loadCharts(read, charts, present, rangeS) {
  const to = new Date();
  const from = new Date(to.getTime() - rangeS * 1000);
  const points = pointsForScreen();
  return Promise.all(
    charts.map(async (chart) => {
      const source = sourceFor(chart, present);
      if (!source) return /** @type {ChartItem} */ ({ chart, missing: chart.sources.map((s) => s.probe) });
      const answer = await read({
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
}

/** @param {{ item: ChartItem, ctx: import('../lib/no-data.js').NoDataContext }} props */
export function ChartCard({ item, ctx }) {
  const { chart } = item;
  let body;
  if (item.missing) {
    body = html`<${NoData} probe=${item.missing[0] ?? ''} ctx=${ctx} />`;
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
 * The charts of `items`, two per row on a wide screen.
 * @param {{ items: ChartItem[], ctx: import('../lib/no-data.js').NoDataContext }} props
 */
export function ChartGrid({ items, ctx }) {
  return html`<div class="charts">${items.map((item) => html`<${ChartCard} key=${item.chart.id} item=${item} ctx=${ctx} />`)}</div>`;
}
