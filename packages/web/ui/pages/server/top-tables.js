// @ts-check
// The top tables of a server by size, dead tuples and scans, from the latest
// values of the per-table probe `table_stats` (one object per table; columns
// total_bytes, n_dead_tup, seq_scan, idx_scan: contract/probe-columns.ts).
import { bytes, count, num } from '../../lib/format.js';
import { html } from '../../lib/html.js';

/** @typedef {import('../../contract/probe-columns.js').ProbeValues['table_stats']} TableStats */
/** @typedef {import('../../lib/api.js').LatestValue<TableStats>} TableRow */
/** @typedef {{ sizeBytes: number | undefined, deadTuples: number | undefined, scans: number | undefined }} TableMeasures */

const TOP_N = 10;

/**
 * Measures of one table: size (total_bytes: heap, indexes, TOAST), dead
 * tuples, scans (sequential + index; undefined when the probe read neither).
 * @param {TableStats} value
 * @returns {TableMeasures}
 */
export function tableMeasures(value) {
  const seq = num(value.seq_scan);
  const idx = num(value.idx_scan);
  return {
    sizeBytes: num(value.total_bytes),
    deadTuples: num(value.n_dead_tup),
    scans: seq === undefined && idx === undefined ? undefined : (seq ?? 0) + (idx ?? 0),
  };
}

/**
 * One top-10 list.
 * @param {{ id: string, title: string, rows: TableRow[], measure: keyof TableMeasures, format: (n: number) => string }} props
 */
function Top({ id, title, rows, measure, format }) {
  const top = rows
    .map((r) => ({ name: r.object, x: tableMeasures(r.value)[measure] }))
    .filter((r) => r.x !== undefined)
    .sort((a, b) => (b.x ?? 0) - (a.x ?? 0))
    .slice(0, TOP_N);
  return html`<div class="top-list"><h3>${title}</h3>
    <div class="table-wrap"><table id=${id}><tbody>
      ${top.length === 0 ? html`<tr><td class="muted">No data</td></tr>` : ''}
      ${top.map((r) => html`<tr key=${r.name}><td>${r.name}</td><td class="num">${format(r.x ?? 0)}</td></tr>`)}
    </tbody></table></div></div>`;
}

/**
 * The three top-10 lists, or a "no data yet" note when `rows` is undefined.
 * @param {{ rows: TableRow[] | undefined }} props
 */
export function TopTables({ rows }) {
  if (!rows)
    return html`<section id="top-tables"><h2>Top tables</h2>
      <p class="no-data">No data yet for this probe (table_stats): the agent does not collect per-table statistics for this server yet.</p></section>`;
  return html`<section id="top-tables"><h2>Top tables</h2><div class="tops">
    <${Top} id="top-size" title="By size" rows=${rows} measure="sizeBytes" format=${bytes} />
    <${Top} id="top-dead" title="By dead tuples" rows=${rows} measure="deadTuples" format=${count} />
    <${Top} id="top-scans" title="By scans (sequential + index)" rows=${rows} measure="scans" format=${count} />
  </div></section>`;
}
