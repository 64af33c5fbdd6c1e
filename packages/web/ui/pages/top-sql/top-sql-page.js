// @ts-check
// Top SQL of a server (issue 17; PEM's SQL Profiler, pgwatch/PMM query
// analytics): the statements of pg_stat_statements that did the most over
// the chosen range, by total time, calls, mean time, rows or shared blocks
// read (GET /api/servers/:id/top-sql: deltas of the statements probe,
// reset-safe), each with its normalised text and a link to its own page.
// Without the extension, says how to enable it (lib/no-data.js).
import { NoData, noDataContext } from '../../components/no-data-note.js';
import { RangePicker } from '../../components/range-picker.js';
import { StatusBar } from '../../components/status-bar.js';
import { Table } from '../../components/table.js';
import { TIME_RANGES } from '../../contract/time-ranges.js';
import { getServer, getTopSql } from '../../lib/api.js';
import { count, quantity } from '../../lib/format.js';
import { html, useState } from '../../lib/html.js';
import { isGone, usePoll } from '../../lib/poll.js';
import { href } from '../../lib/route.js';
import { NotFoundPage } from '../not-found/not-found-page.js';

/** @typedef {import('../../lib/api.js').Preferences} Preferences */
/** @typedef {'total_time' | 'calls' | 'mean_time' | 'rows' | 'shared_blks_read'} Order */

/** The orders offered, in the words of the page. @type {readonly [Order, string][]} */
export const ORDERS = [
  ['total_time', 'Total time'],
  ['calls', 'Calls'],
  ['mean_time', 'Mean time'],
  ['rows', 'Rows'],
  ['shared_blks_read', 'Shared blocks read'],
];

/** Milliseconds as the page shows them ("1.2 s", "35 ms"). @param {number | null} ms */
export function msText(ms) {
  if (ms === null) return '';
  return ms >= 1000
    ? quantity(ms / 1000, 's')
    : `${ms >= 10 ? Math.round(ms) : ms.toFixed(ms >= 1 ? 1 : 3)} ms`;
}

/**
 * @param {number} id
 * @param {number} rangeS
 * @param {Order} order
 */
async function loadTopSql(id, rangeS, order) {
  const to = new Date();
  const from = new Date(to.getTime() - rangeS * 1000);
  const [detail, top] = await Promise.all([
    getServer(id),
    getTopSql(id, { from: from.toISOString(), to: to.toISOString(), order, limit: 25 }),
  ]);
  return { detail, top };
}

/**
 * The Top SQL page of server `id`.
 * @param {{ id: number, prefs: Preferences, onSave: (change: Partial<Preferences>) => void }} props
 */
export function TopSqlPage({ id, prefs, onSave }) {
  const [order, setOrder] = useState(/** @type {Order} */ ('total_time'));
  const rangeS = (TIME_RANGES[prefs.timeRange] ?? TIME_RANGES['1h']).seconds;
  const poll = usePoll(
    () => loadTopSql(id, rangeS, order),
    `top-sql|${id}|${prefs.timeRange}|${order}`,
    prefs.refreshIntervalS,
  );
  const d = poll.data;
  if (!d && isGone(poll.error))
    return html`<${NotFoundPage} what=${`server ${id}`} why=${poll.error instanceof Error ? poll.error.message : ''} />`;
  const rows = d?.top.statements ?? [];
  return html`<section id="top-sql-view" data-server-id=${id}>
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <div class="page-head">
      <h2 id="top-sql-title">Top SQL of <a href=${href.server(id)}>${d ? d.detail.name : `server ${id}`}</a>
        ${d ? html` <span class="count">${rows.length} statements · deltas over the range</span>` : ''}</h2>
      <div class="tools">
        <label>Order by <select id="top-sql-order" value=${order} onChange=${(/** @type {any} */ e) => setOrder(e.currentTarget.value)}>
          ${ORDERS.map(([v, text]) => html`<option value=${v}>${text}</option>`)}
        </select></label>
        <${RangePicker} value=${prefs.timeRange} onChange=${(/** @type {Preferences['timeRange']} */ timeRange) => onSave({ timeRange })} />
      </div>
    </div>
    ${
      !d
        ? html`<p class="muted">Loading…</p>`
        : d.top.samples === 0 && rows.length === 0
          ? d.top.lastCollectedAt === null
            ? html`<${NoData} probe="statements" ctx=${noDataContext(d.detail)} />`
            : html`<p class="no-data" id="top-sql-none">No statement samples in this time range (the last was at ${new Date(d.top.lastCollectedAt).toLocaleString()}).</p>`
          : html`<${Table} id="top-sql" head=${['#', 'Query', 'Database', 'Role', 'Calls', 'Total time', 'Mean time', 'Rows', 'Shared blocks read', 'Hit']}>${rows.map(
              (r, i) => html`<tr key=${r.key} data-key=${r.key} data-calls=${r.calls}>
                <td class="num">${i + 1}</td>
                <td class="wrap query-cell"><a href=${href.statement(id, r.key)} title=${r.query ?? ''}><code class="query">${r.query ?? `query id ${r.queryid ?? '?'}`}</code></a>
                  ${r.toplevel === false ? html` <span class="muted">(nested)</span>` : ''}
                  ${r.resets > 0 ? html` <span class="muted" title="the counters restarted in this range; counted from zero">(reset)</span>` : ''}</td>
                <td>${r.database ?? ''}</td>
                <td>${r.role ?? ''}</td>
                <td class="num calls">${count(r.calls)}</td>
                <td class="num">${msText(r.totalExecTimeMs)}</td>
                <td class="num">${msText(r.meanExecTimeMs)}</td>
                <td class="num">${count(r.rows)}</td>
                <td class="num">${count(r.sharedBlksRead)}</td>
                <td class="num">${r.sharedBlksHit + r.sharedBlksRead > 0 ? quantity((100 * r.sharedBlksHit) / (r.sharedBlksHit + r.sharedBlksRead), 'percent') : ''}</td>
              </tr>`,
            )}</${Table}>`
    }
  </section>`;
}
