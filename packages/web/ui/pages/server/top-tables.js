// The top tables of a server by size, dead tuples and scans, from the latest
// values of the per-table probe (one object per table).
import { html } from '../../lib/html.js';
import * as v from '../../lib/probe-values.js';

const TOP_N = 10;

function num(x) {
  const n = typeof x === 'string' ? Number(x) : x;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function field(value, ...names) {
  for (const n of names) {
    const x = num(value?.[n]);
    if (x !== undefined) return x;
  }
  return undefined;
}

/** Measures of one table row's value: size, dead tuples, scans (seq + index). */
export function tableMeasures(value) {
  const seq = field(value, 'seq_scan');
  const idx = field(value, 'idx_scan');
  return {
    sizeBytes: field(value, 'total_bytes', 'total_size_bytes', 'size_bytes'),
    deadTuples: field(value, 'n_dead_tup', 'dead_tuples'),
    scans: seq === undefined && idx === undefined ? undefined : (seq ?? 0) + (idx ?? 0),
  };
}

function Top({ id, title, rows, measure, format }) {
  const top = rows
    .map((r) => ({ name: r.object, x: tableMeasures(r.value)[measure] }))
    .filter((r) => r.x !== undefined)
    .sort((a, b) => b.x - a.x)
    .slice(0, TOP_N);
  return html`<div class="top-list"><h3>${title}</h3>
    <div class="table-wrap"><table id=${id}><tbody>
      ${top.length === 0 ? html`<tr><td class="muted">No data</td></tr>` : ''}
      ${top.map((r) => html`<tr key=${r.name}><td>${r.name}</td><td class="num">${format(r.x)}</td></tr>`)}
    </tbody></table></div></div>`;
}

/** The three top-10 lists, or a "no data yet" note when `rows` is undefined. */
export function TopTables({ rows }) {
  if (!rows)
    return html`<section id="top-tables"><h2>Top tables</h2>
      <p class="no-data">No data yet for this probe (table_stats): the agent does not collect per-table statistics for this server yet.</p></section>`;
  return html`<section id="top-tables"><h2>Top tables</h2><div class="tops">
    <${Top} id="top-size" title="By size" rows=${rows} measure="sizeBytes" format=${v.bytes} />
    <${Top} id="top-dead" title="By dead tuples" rows=${rows} measure="deadTuples" format=${v.count} />
    <${Top} id="top-scans" title="By scans (sequential + index)" rows=${rows} measure="scans" format=${v.count} />
  </div></section>`;
}
