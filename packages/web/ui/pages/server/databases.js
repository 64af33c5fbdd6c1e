// @ts-check
// The databases of a server, each opening its page: size, sessions, cache
// hit and deadlocks since the statistics reset, and the transaction-ID
// freeze age (the server probes database_size, database_activity and
// xid_wraparound, one object per database).
import { NoData } from '../../components/no-data-note.js';
import { Table } from '../../components/table.js';
import { bytes, count, num, quantity } from '../../lib/format.js';
import { html } from '../../lib/html.js';
import { href } from '../../lib/route.js';

/** @typedef {import('../../contract/probe-columns.js').ProbeValues} ProbeValues */
/**
 * @template V
 * @typedef {import('../../lib/api.js').LatestValue<V>} LatestValue
 */
/**
 * What the list shows, per probe (undefined: the probe has no data).
 * @typedef {{
 *   size: LatestValue<ProbeValues['database_size']>[] | undefined,
 *   activity: LatestValue<ProbeValues['database_activity']>[] | undefined,
 *   xid: LatestValue<ProbeValues['xid_wraparound']>[] | undefined,
 * }} DatabaseRows
 */

/**
 * The databases list of server `serverId`, largest first.
 * @param {{ serverId: number, rows: DatabaseRows, ctx: import('../../lib/no-data.js').NoDataContext }} props
 */
export function Databases({ serverId, rows, ctx }) {
  const names = new Set([...(rows.size ?? []), ...(rows.activity ?? [])].map((r) => r.object));
  if (names.size === 0)
    return html`<section id="databases"><h2>Databases</h2><${NoData} probe="database_size" ctx=${ctx} /></section>`;
  const by = (/** @type {{ object: string }[] | undefined} */ list) =>
    new Map((list ?? []).map((r) => [r.object, r]));
  const size = /** @type {Map<string, LatestValue<ProbeValues['database_size']>>} */ (by(rows.size));
  const act = /** @type {Map<string, LatestValue<ProbeValues['database_activity']>>} */ (by(rows.activity));
  const xid = /** @type {Map<string, LatestValue<ProbeValues['xid_wraparound']>>} */ (by(rows.xid));
  const sorted = [...names].sort(
    (a, b) => (num(size.get(b)?.value.size_bytes) ?? -1) - (num(size.get(a)?.value.size_bytes) ?? -1),
  );
  return html`<section id="databases"><h2>Databases <span class="count">(${names.size})</span></h2>
    <${Table} id="server-databases" head=${['Database', 'Size', 'Sessions', 'Cache hit', 'Deadlocks', 'Temporary files', 'Freeze age']}>${sorted.map(
      (name) => {
        const a = act.get(name)?.value;
        const x = xid.get(name)?.value;
        return html`<tr key=${name} data-database=${name}>
          <td><a href=${href.database(serverId, name)}>${name}</a></td>
          <td class="num">${bytes(size.get(name)?.value.size_bytes)}</td>
          <td class="num">${count(a?.backends)}</td>
          <td class="num">${quantity(a?.hit_ratio_pct, 'percent')}</td>
          <td class="num">${count(a?.deadlocks)}</td>
          <td class="num">${a ? bytes(a.temp_bytes) : ''}</td>
          <td class="num" title="age(datfrozenxid) as a share of autovacuum_freeze_max_age">${quantity(x?.xid_freeze_max_age_pct, 'percent')}</td>
        </tr>`;
      },
    )}</${Table}></section>`;
}
