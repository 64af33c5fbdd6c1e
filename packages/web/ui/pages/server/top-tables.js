// @ts-check
// The top tables of a server by size, dead tuples and scans, from the latest
// values of the per-table probe `table_stats` (one object per table; columns
// total_bytes, n_dead_tup, seq_scan, idx_scan: contract/probe-columns.ts).

import { NoData } from '../../components/no-data-note.js';
import { bytes, count, num } from '../../lib/format.js';
import { html } from '../../lib/html.js';
import { href } from '../../lib/route.js';

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
 * A link to the page of table `object` (`<database>/<schema.table>`), or its name when it has no database part.
 * @param {number} serverId
 * @param {string} object
 */
function tableLink(serverId, object) {
  const slash = object.indexOf('/');
  if (slash <= 0) return object;
  return html`<a href=${href.table(serverId, object.slice(0, slash), object.slice(slash + 1))}>${object}</a>`;
}

/**
 * One top-10 list.
 * @param {{ id: string, title: string, serverId: number, rows: TableRow[], measure: keyof TableMeasures, format: (n: number) => string }} props
 */
function Top({ id, title, serverId, rows, measure, format }) {
  const top = rows
    .map((r) => ({ name: r.object, x: tableMeasures(r.value)[measure] }))
    .filter((r) => r.x !== undefined)
    .sort((a, b) => (b.x ?? 0) - (a.x ?? 0))
    .slice(0, TOP_N);
  return html`<div class="top-list"><h3>${title}</h3>
    <div class="table-wrap"><table id=${id}><tbody>
      ${top.length === 0 ? html`<tr><td class="muted">No data</td></tr>` : ''}
      ${top.map((r) => html`<tr key=${r.name}><td class="name">${tableLink(serverId, r.name)}</td><td class="num">${format(r.x ?? 0)}</td></tr>`)}
    </tbody></table></div></div>`;
}

/**
 * The three top-10 lists, or why there is no data when `rows` is undefined.
 * @param {{ serverId: number, rows: TableRow[] | undefined, ctx: import('../../lib/no-data.js').NoDataContext }} props
 */
export function TopTables({ serverId, rows, ctx }) {
  if (!rows)
    return html`<section id="top-tables"><h2>Top tables</h2><${NoData} probe="table_stats" ctx=${ctx} /></section>`;
  return html`<section id="top-tables"><h2>Top tables</h2><div class="tops">
    <${Top} id="top-size" title="By size" serverId=${serverId} rows=${rows} measure="sizeBytes" format=${bytes} />
    <${Top} id="top-dead" title="By dead tuples" serverId=${serverId} rows=${rows} measure="deadTuples" format=${count} />
    <${Top} id="top-scans" title="By scans (sequential + index)" serverId=${serverId} rows=${rows} measure="scans" format=${count} />
  </div></section>`;
}
