// @ts-check
// The tables of one database (the agent's per-table probe table_stats,
// top 100 per database by size, dead tuples and scans; table_bloat's
// estimate beside them), sortable by size, dead tuples, scans or name; each
// name opens the table's page.
import { Table } from '../../components/table.js';
import { bytes, count, num, quantity, when } from '../../lib/format.js';
import { html, useState } from '../../lib/html.js';
import { href } from '../../lib/route.js';

/** @typedef {import('../../contract/probe-columns.js').ProbeValues} ProbeValues */
/** @typedef {import('../../lib/api.js').LatestValue<ProbeValues['table_stats']>} TableRow */
/** @typedef {import('../../lib/api.js').LatestValue<ProbeValues['table_bloat']>} BloatRow */

/** Orders of the list: label and the measure it sorts by (largest first; name: A to Z). */
const ORDERS = /** @type {const} */ ({
  size: 'size',
  dead: 'dead tuples',
  scans: 'scans',
  name: 'name',
});

/**
 * The later of two ISO 8601 times, or the one given.
 * @param {string | null | undefined} a
 * @param {string | null | undefined} b
 */
export function later(a, b) {
  if (!a) return b ?? null;
  if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/**
 * The tables of database `database` of server `serverId`, with their bloat estimate when known.
 * @param {{ serverId: number, database: string, rows: TableRow[], bloat: BloatRow[] }} props
 */
export function TableList({ serverId, database, rows, bloat }) {
  const [order, setOrder] = useState(/** @type {keyof typeof ORDERS} */ ('size'));
  const bloatOf = new Map(bloat.map((b) => [b.object, b.value]));
  const measure = (/** @type {TableRow} */ r) => {
    const v = r.value;
    if (order === 'dead') return num(v.n_dead_tup) ?? -1;
    if (order === 'scans') return (num(v.seq_scan) ?? 0) + (num(v.idx_scan) ?? 0);
    return num(v.total_bytes) ?? -1;
  };
  const sorted = [...rows].sort((a, b) =>
    order === 'name' ? a.object.localeCompare(b.object) : measure(b) - measure(a),
  );
  const prefix = `${database}/`;
  return html`<div class="list-tools"><label>Order by <select id="table-order" value=${order}
      onChange=${(/** @type {Event} */ e) => setOrder(/** @type {keyof typeof ORDERS} */ (/** @type {HTMLSelectElement} */ (e.currentTarget).value))}>
      ${Object.entries(ORDERS).map(([k, t]) => html`<option key=${k} value=${k}>${t}</option>`)}
    </select></label></div>
    <${Table} id="db-tables" head=${['Table', 'Size', 'Live rows', 'Dead rows', 'Dead', 'Bloat (estimate)', 'Seq scans', 'Index scans', 'Last vacuum', 'Last analyze']}>${sorted.map(
      (r) => {
        const v = r.value;
        const name = r.object.startsWith(prefix) ? r.object.slice(prefix.length) : r.object;
        const b = bloatOf.get(r.object);
        return html`<tr key=${r.object} data-table=${name}>
          <td class="wrap name"><a href=${href.table(serverId, database, name)}>${name}</a></td>
          <td class="num">${bytes(v.total_bytes)}</td>
          <td class="num">${count(v.n_live_tup)}</td>
          <td class="num">${count(v.n_dead_tup)}</td>
          <td class="num">${quantity(v.dead_tup_pct, 'percent')}</td>
          <td class="num">${b ? `${bytes(b.bloat_bytes)}${b.bloat_pct === null || b.bloat_pct === undefined ? '' : ` (${quantity(b.bloat_pct, 'percent')})`}` : ''}</td>
          <td class="num">${count(v.seq_scan)}</td>
          <td class="num">${count(v.idx_scan)}</td>
          <td>${when(later(v.last_vacuum, v.last_autovacuum)) || html`<span class="muted">never</span>`}</td>
          <td>${when(later(v.last_analyze, v.last_autoanalyze)) || html`<span class="muted">never</span>`}</td>
        </tr>`;
      },
    )}</${Table}>`;
}
