// @ts-check
// One table of a database (review "Top 10" #4): its size and growth over
// the range, scans, rows written, live and dead rows with the bloat
// estimate, its VACUUM and ANALYZE history, and its indexes with their
// usage (an index never scanned is marked unused). From the database
// probes table_stats, table_io, table_bloat and index_stats (objects
// `<database>/<schema.table>`, `<database>/<schema.index>`).
import { Badge } from '../../components/badges.js';
import { ChartGrid, loadCharts } from '../../components/chart-grid.js';
import { NoData, noDataContext } from '../../components/no-data-note.js';
import { RangePicker } from '../../components/range-picker.js';
import { StatusBar } from '../../components/status-bar.js';
import { Table } from '../../components/table.js';
import { TIME_RANGES } from '../../contract/time-ranges.js';
import { getChanges, getLatest, getSeries, getServer } from '../../lib/api.js';
import { byField, hitRatioOf } from '../../lib/chart-lines.js';
import { bytes, count, num, quantity, when } from '../../lib/format.js';
import { html } from '../../lib/html.js';
import { isGone, usePoll } from '../../lib/poll.js';
import { href } from '../../lib/route.js';
import { NotFoundPage } from '../not-found/not-found-page.js';

/** @typedef {import('../../lib/api.js').Preferences} Preferences */
/** @typedef {import('../../contract/probe-columns.js').ProbeValues} ProbeValues */
/**
 * @template V
 * @typedef {import('../../lib/api.js').LatestValue<V>} LatestValue
 */

/** The VACUUM and ANALYZE times table_stats reports; each new value is one run. */
export const MAINTENANCE_FIELDS = /** @type {const} */ ([
  'last_vacuum',
  'last_autovacuum',
  'last_analyze',
  'last_autoanalyze',
]);

/** What each maintenance field's change was. @type {Record<string, string>} */
const MAINTENANCE_WORDS = {
  last_vacuum: 'VACUUM',
  last_autovacuum: 'autovacuum',
  last_analyze: 'ANALYZE',
  last_autoanalyze: 'autoanalyze',
};

/** @type {readonly import('../../lib/chart-lines.js').Chart[]} */
export const TABLE_CHARTS = [
  {
    id: 'table_size',
    title: 'Size',
    unit: 'bytes',
    sources: [{ probe: 'table_stats', fields: ['total_bytes', 'table_bytes', 'index_bytes'], mode: 'gauge' }],
    lines: byField,
  },
  {
    id: 'table_rows',
    title: 'Live and dead rows',
    unit: 'count',
    sources: [{ probe: 'table_stats', fields: ['n_live_tup', 'n_dead_tup'], mode: 'gauge' }],
    lines: byField,
  },
  {
    id: 'table_writes',
    title: 'Rows written per second',
    unit: '/s',
    sources: [
      {
        probe: 'table_stats',
        fields: ['n_tup_ins', 'n_tup_upd', 'n_tup_del', 'n_tup_hot_upd'],
        mode: 'rate',
      },
    ],
    lines: byField,
  },
  {
    id: 'table_scans',
    title: 'Scans per second',
    unit: '/s',
    sources: [{ probe: 'table_stats', fields: ['seq_scan', 'idx_scan'], mode: 'rate' }],
    lines: byField,
  },
  {
    id: 'table_cache_hit',
    title: 'Cache hit ratio of the heap',
    unit: '%',
    sources: [{ probe: 'table_io', fields: ['heap_blks_hit', 'heap_blks_read'], mode: 'rate' }],
    lines: hitRatioOf('heap_blks_hit', 'heap_blks_read'),
  },
];

/**
 * The growth of the first line of `item` over its range: last minus first value, or undefined.
 * @param {import('../../components/chart-grid.js').ChartItem | undefined} item
 */
export function growth(item) {
  if (!item || item.missing) return undefined;
  const values = (item.lines[0]?.values ?? []).filter((x) => x !== null);
  if (values.length < 2) return undefined;
  return /** @type {number} */ (values[values.length - 1]) - /** @type {number} */ (values[0]);
}

/**
 * Table `relation` of database `database` of server `id`.
 * @param {number} id
 * @param {string} database
 * @param {string} relation
 * @param {number} rangeS
 */
async function loadTable(id, database, relation, rangeS) {
  const detail = await getServer(id);
  const present = new Set(detail.probes.map((p) => p.probe));
  const object = `${database}/${relation}`;
  const to = new Date();
  const from = new Date(to.getTime() - rangeS * 1000);
  /**
   * @template {keyof ProbeValues} P
   * @param {P} probe
   * @param {string} prefix
   */
  const rows = async (probe, prefix) =>
    present.has(probe)
      ? /** @type {LatestValue<ProbeValues[P]>[]} */ ((await getLatest(id, probe, prefix)).rows)
      : [];
  const [charts, stats, bloat, indexes, changes] = await Promise.all([
    loadCharts((p) => getSeries(id, { ...p, object }), TABLE_CHARTS, present, rangeS),
    rows('table_stats', object).then((r) => r.find((x) => x.object === object)),
    rows('table_bloat', object).then((r) => r.find((x) => x.object === object)),
    rows('index_stats', `${database}/`).then((r) => r.filter((x) => x.value.relation === relation)),
    present.has('table_stats')
      ? getChanges(id, {
          probe: 'table_stats',
          object,
          fields: MAINTENANCE_FIELDS,
          from: from.toISOString(),
          to: to.toISOString(),
        }).then((r) => r.changes)
      : [],
  ]);
  return { detail, present, charts, stats, bloat, indexes, changes };
}

/**
 * The table's facts now.
 * @param {{ d: Awaited<ReturnType<typeof loadTable>>, rangeLabel: string }} props
 */
function Facts({ d, rangeLabel }) {
  const v = /** @type {ProbeValues['table_stats']} */ (d.stats?.value);
  const b = d.bloat?.value;
  const grew = growth(d.charts.find((c) => c.chart.id === 'table_size'));
  return html`<dl class="facts" id="table-facts">
    <dt>Size</dt><dd id="table-size">${bytes(v.total_bytes)} (table ${bytes(v.table_bytes)}, indexes ${bytes(v.index_bytes)})${
      grew === undefined
        ? ''
        : html` · <span id="table-growth">${grew >= 0 ? '+' : '−'}${bytes(Math.abs(grew))} in the ${rangeLabel.toLowerCase()}</span>`
    }</dd>
    <dt>Rows</dt><dd>${count(v.n_live_tup)} live, <span id="table-dead">${count(v.n_dead_tup)}</span> dead (${quantity(v.dead_tup_pct, 'percent')}); ${count(v.n_mod_since_analyze)} changed since the last analyze</dd>
    <dt>Bloat (estimate)</dt><dd id="table-bloat">${b ? `${bytes(b.bloat_bytes)} ${b.bloat_pct === null || b.bloat_pct === undefined ? '' : ` (${quantity(b.bloat_pct, 'percent')})`} of ${bytes(b.table_bytes)}, expected ${bytes(b.expected_bytes)}` : html`<span class="muted">not estimated (the table_bloat probe runs every hour, and needs planner statistics)</span>`}</dd>
    <dt>Scans</dt><dd>${count(v.seq_scan)} sequential (${count(v.seq_tup_read)} rows read), ${v.idx_scan === null || v.idx_scan === undefined ? 'none by index (no index)' : `${count(v.idx_scan)} by index (${count(v.idx_tup_fetch)} rows fetched)`}</dd>
    <dt>Writes</dt><dd>${count(v.n_tup_ins)} inserted, ${count(v.n_tup_upd)} updated (${count(v.n_tup_hot_upd)} HOT), <span id="table-deleted">${count(v.n_tup_del)}</span> deleted</dd>
    <dt>Vacuum</dt><dd>last ${when(v.last_vacuum) || 'never'} (manual), ${when(v.last_autovacuum) || 'never'} (auto); ${count(v.vacuum_count)} + ${count(v.autovacuum_count)} runs</dd>
    <dt>Analyze</dt><dd>last ${when(v.last_analyze) || 'never'} (manual), ${when(v.last_autoanalyze) || 'never'} (auto); ${count(v.analyze_count)} + ${count(v.autoanalyze_count)} runs</dd>
  </dl>`;
}

/** @param {{ rows: LatestValue<ProbeValues['index_stats']>[], database: string }} props */
function Indexes({ rows, database }) {
  if (rows.length === 0)
    return html`<p class="muted" id="no-indexes">No index of this table among the ones the agent reports (the 100 largest per database).</p>`;
  const prefix = `${database}/`;
  return html`<${Table} id="table-indexes" head=${['Index', 'Size', 'Scans', 'Rows read', 'Rows fetched', 'Last scan', '']}>${[
    ...rows,
  ]
    .sort((a, b) => (num(b.value.size_bytes) ?? 0) - (num(a.value.size_bytes) ?? 0))
    .map((r) => {
      const x = r.value;
      const unused = num(x.idx_scan) === 0 && !x.is_primary && !x.is_unique;
      return html`<tr key=${r.object} data-index=${r.object.slice(prefix.length)}>
        <td class="wrap">${r.object.startsWith(prefix) ? r.object.slice(prefix.length) : r.object}</td>
        <td class="num">${bytes(x.size_bytes)}</td>
        <td class="num">${count(x.idx_scan)}</td>
        <td class="num">${count(x.idx_tup_read)}</td>
        <td class="num">${count(x.idx_tup_fetch)}</td>
        <td>${when(x.last_idx_scan)}</td>
        <td>${x.is_primary ? html`<${Badge} tone="info" text="primary key" />` : x.is_unique ? html`<${Badge} tone="info" text="unique" />` : ''}
          ${x.is_valid === false ? html`<${Badge} tone="bad" text="invalid" />` : ''}
          ${unused ? html`<${Badge} tone="warn" text="unused" title="never scanned since the statistics reset" />` : ''}</td>
      </tr>`;
    })}</${Table}>`;
}

/** @param {{ changes: import('../../lib/api.js').FieldChange[] }} props */
function Maintenance({ changes }) {
  if (changes.length === 0)
    return html`<p class="muted" id="no-maintenance">No VACUUM or ANALYZE seen in this range.</p>`;
  return html`<${Table} id="table-maintenance" head=${['Ran at', 'What', 'Seen by the agent']}>${changes.map(
    (c) =>
      html`<tr key=${`${c.field}-${c.value}`}><td>${when(c.value)}</td><td>${MAINTENANCE_WORDS[c.field] ?? c.field}</td><td>${when(c.at)}</td></tr>`,
  )}</${Table}>`;
}

/**
 * The page of table `relation` (schema.name) of database `database` of server `serverId`.
 * @param {{ serverId: number, database: string, relation: string, prefs: Preferences, onSave: (change: Partial<Preferences>) => void }} props
 */
export function TablePage({ serverId, database, relation, prefs, onSave }) {
  const range = TIME_RANGES[prefs.timeRange] ?? TIME_RANGES['1h'];
  const poll = usePoll(
    () => loadTable(serverId, database, relation, range.seconds),
    `table|${serverId}|${database}|${relation}|${prefs.timeRange}`,
    prefs.refreshIntervalS,
  );
  const d = poll.data;
  if (!d && isGone(poll.error))
    return html`<${NotFoundPage} what=${`server ${serverId}`} why=${poll.error instanceof Error ? poll.error.message : ''} />`;
  const ctx = d ? noDataContext(d.detail) : undefined;
  return html`<section id="table-view" data-server-id=${serverId} data-database=${database} data-table=${relation}>
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <div class="page-head">
      <h2 id="table-title">Table ${relation}${' '}<span class="count">in <a href=${href.database(serverId, database)}>${database}</a> on <a href=${href.server(serverId)}>${d ? d.detail.name : `server ${serverId}`}</a></span></h2>
      <div class="tools">
        <${RangePicker} value=${prefs.timeRange} onChange=${(/** @type {Preferences['timeRange']} */ timeRange) => onSave({ timeRange })} />
      </div>
    </div>
    ${
      !d || !ctx
        ? html`<p class="muted">Loading…</p>`
        : !d.stats
          ? d.present.has('table_stats')
            ? html`<p class="no-data" id="table-unknown">The agent reports no table ${relation} in database ${database} (it reports the 100 largest, most scanned and with most dead rows of each database).</p>`
            : html`<${NoData} probe="table_stats" ctx=${ctx} />`
          : html`<${Facts} d=${d} rangeLabel=${range.label} />
            <${ChartGrid} items=${d.charts} ctx=${ctx} />
            <h2>Indexes</h2>
            <${Indexes} rows=${d.indexes} database=${database} />
            <h2>VACUUM and ANALYZE <span class="count">(${range.label})</span></h2>
            <${Maintenance} changes=${d.changes} />`
    }
  </section>`;
}
