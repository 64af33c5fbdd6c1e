// @ts-check
// One database of a server (review "Top 10" #4): its size, transactions,
// cache hit, temporary files, deadlocks, recovery conflicts, and its
// transaction-ID age against wraparound (freeze), now and over the chosen
// range; and its tables (table-list.js), each opening the table's page.
// From the server probes database_activity, database_size, xid_wraparound
// and replication_conflicts (one object per database) and the database
// probes table_stats and table_bloat (objects `<database>/<schema.table>`).
import { ChartGrid, loadCharts } from '../../components/chart-grid.js';
import { NoData, noDataContext } from '../../components/no-data-note.js';
import { RangePicker } from '../../components/range-picker.js';
import { StatusBar } from '../../components/status-bar.js';
import { TIME_RANGES } from '../../contract/time-ranges.js';
import { getLatest, getSeries, getServer } from '../../lib/api.js';
import { bytes, count, quantity, when } from '../../lib/format.js';
import { html } from '../../lib/html.js';
import { isGone, usePoll } from '../../lib/poll.js';
import { href } from '../../lib/route.js';
import { NotFoundPage } from '../not-found/not-found-page.js';
import { DATABASE_CHARTS } from './database-charts.js';
import { TableList } from './table-list.js';

/** @typedef {import('../../lib/api.js').Preferences} Preferences */
/** @typedef {import('../../contract/probe-columns.js').ProbeValues} ProbeValues */

/**
 * The value of `probe`'s object `object` on server `id`, or undefined.
 * @template {keyof ProbeValues} P
 * @param {number} id
 * @param {P} probe
 * @param {string} object
 * @param {ReadonlySet<string>} present
 * @returns {Promise<ProbeValues[P] | undefined>}
 */
async function latestObject(id, probe, object, present) {
  if (!present.has(probe)) return undefined;
  const rows = /** @type {import('../../lib/api.js').LatestValue<ProbeValues[P]>[]} */ (
    (await getLatest(id, probe)).rows
  );
  return rows.find((r) => r.object === object)?.value;
}

/**
 * Database `database` of server `id`: the server, the database's latest values, charts and tables.
 * @param {number} id
 * @param {string} database
 * @param {number} rangeS
 */
async function loadDatabase(id, database, rangeS) {
  const detail = await getServer(id);
  const present = new Set(detail.probes.map((p) => p.probe));
  const prefix = `${database}/`;
  const [charts, activity, size, xid, conflicts, tables, bloat] = await Promise.all([
    loadCharts((p) => getSeries(id, { ...p, object: database }), DATABASE_CHARTS, present, rangeS),
    latestObject(id, 'database_activity', database, present),
    latestObject(id, 'database_size', database, present),
    latestObject(id, 'xid_wraparound', database, present),
    latestObject(id, 'replication_conflicts', database, present),
    present.has('table_stats')
      ? getLatest(id, 'table_stats', prefix).then(
          (r) => /** @type {import('./table-list.js').TableRow[]} */ (r.rows),
        )
      : undefined,
    present.has('table_bloat')
      ? getLatest(id, 'table_bloat', prefix).then(
          (r) => /** @type {import('./table-list.js').BloatRow[]} */ (r.rows),
        )
      : [],
  ]);
  return { detail, charts, activity, size, xid, conflicts, tables, bloat };
}

/**
 * The database's facts now.
 * @param {{ d: Awaited<ReturnType<typeof loadDatabase>> }} props
 */
function Facts({ d }) {
  const a = d.activity;
  const x = d.xid;
  return html`<dl class="facts" id="db-facts">
    <dt>Size</dt><dd id="db-size">${d.size ? bytes(d.size.size_bytes) : html`<span class="muted">not measured yet</span>`}</dd>
    ${
      a
        ? html`<dt>Sessions</dt><dd>${count(a.backends)} connected</dd>
          <dt>Transactions</dt><dd>${count(a.xact_commit)} commits, ${count(a.xact_rollback)} rollbacks since the statistics reset${a.stats_reset ? ` (${when(a.stats_reset)})` : ''}</dd>
          <dt>Cache hit</dt><dd>${quantity(a.hit_ratio_pct, 'percent')} since the reset</dd>
          <dt>Temporary files</dt><dd>${count(a.temp_files)} files, ${bytes(a.temp_bytes)}</dd>
          <dt>Deadlocks</dt><dd id="db-deadlocks">${count(a.deadlocks)}</dd>
          <dt>Recovery conflicts</dt><dd>${count(a.conflicts)}${d.conflicts ? ` (lock ${count(d.conflicts.confl_lock)}, snapshot ${count(d.conflicts.confl_snapshot)}, buffer pin ${count(d.conflicts.confl_bufferpin)}, deadlock ${count(d.conflicts.confl_deadlock)})` : ''}</dd>
          <dt>Checksum failures</dt><dd>${count(a.checksum_failures) || '0'}</dd>`
        : ''
    }
    ${
      x
        ? html`<dt>Freeze age</dt><dd id="db-freeze">transaction IDs ${count(x.xid_age)} (${quantity(x.xid_freeze_max_age_pct, 'percent')} of autovacuum_freeze_max_age, ${quantity(x.xid_wraparound_pct, 'percent')} of the way to wraparound); multixacts ${count(x.mxid_age)}</dd>`
        : ''
    }
  </dl>`;
}

/**
 * The page of database `database` of server `serverId`.
 * @param {{ serverId: number, database: string, prefs: Preferences, onSave: (change: Partial<Preferences>) => void }} props
 */
export function DatabasePage({ serverId, database, prefs, onSave }) {
  const rangeS = (TIME_RANGES[prefs.timeRange] ?? TIME_RANGES['1h']).seconds;
  const poll = usePoll(
    () => loadDatabase(serverId, database, rangeS),
    `db|${serverId}|${database}|${prefs.timeRange}`,
    prefs.refreshIntervalS,
  );
  const d = poll.data;
  if (!d && isGone(poll.error))
    return html`<${NotFoundPage} what=${`server ${serverId}`} why=${poll.error instanceof Error ? poll.error.message : ''} />`;
  const ctx = d ? noDataContext(d.detail) : undefined;
  const known = d && (d.activity || d.size || d.xid);
  return html`<section id="database-view" data-server-id=${serverId} data-database=${database}>
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <div class="page-head">
      <h2 id="database-title">Database ${database}${' '}<span class="count">on <a href=${href.server(serverId)}>${d ? d.detail.name : `server ${serverId}`}</a></span></h2>
      <div class="tools">
        <${RangePicker} value=${prefs.timeRange} onChange=${(/** @type {Preferences['timeRange']} */ timeRange) => onSave({ timeRange })} />
      </div>
    </div>
    ${
      !d || !ctx
        ? html`<p class="muted">Loading…</p>`
        : !known
          ? html`<p class="no-data" id="database-unknown">No probe has reported a database named ${database} on this server.</p>`
          : html`<${Facts} d=${d} />
            <${ChartGrid} items=${d.charts} ctx=${ctx} />
            <h2>Tables <span class="count">${d.tables ? `(${d.tables.length})` : ''}</span></h2>
            ${
              d.tables
                ? html`<${TableList} serverId=${serverId} database=${database} rows=${d.tables} bloat=${d.bloat} />`
                : html`<${NoData} probe="table_stats" ctx=${ctx} />`
            }`
    }
  </section>`;
}
