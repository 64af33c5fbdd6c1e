// @ts-check
// The charts of the server analysis page (what each draws: lib/chart-lines.js).
// A chart whose probe has no data for the server says why instead of
// drawing nothing (components/no-data-note.js).
import { byField, byObject, hitRatio, perMinute, perSeries, sourceFor } from '../../lib/chart-lines.js';

/** @typedef {import('../../lib/chart-lines.js').Chart} Chart */
/** @typedef {import('../../lib/chart-lines.js').ChartSource} ChartSource */
/** @typedef {import('../../lib/api.js').SeriesAnswer} SeriesAnswer */
/** @typedef {import('../../components/chart.js').Line} Line */

export { sourceFor };

/**
 * Connections by state, leaving out states that stayed at zero over the range.
 * @param {SeriesAnswer} answer
 * @returns {Line[]}
 */
function connections(answer) {
  return answer.series
    .filter((s) => s.values.some((x) => x !== null && x > 0))
    .map((s) => ({ label: s.object, values: s.values }));
}

/**
 * Every chart, in the default order.
 * @type {readonly Chart[]}
 */
export const CHARTS = [
  {
    id: 'tps',
    title: 'Transactions per second',
    unit: '/s',
    sources: [{ probe: 'database_stats', fields: ['xact_commit', 'xact_rollback'], mode: 'rate' }],
    lines: byField,
  },
  {
    id: 'connections',
    title: 'Connections by state',
    unit: 'count',
    sources: [{ probe: 'connections_by_state', fields: ['connections'], mode: 'gauge' }],
    lines: connections,
  },
  {
    id: 'cache_hit',
    title: 'Cache hit ratio',
    unit: '%',
    sources: [{ probe: 'database_stats', fields: ['blks_hit', 'blks_read'], mode: 'rate' }],
    lines: hitRatio,
  },
  {
    id: 'checkpoints',
    title: 'Checkpoints per minute',
    unit: '/min',
    // The probe reads pg_stat_checkpointer on 17 and pg_stat_bgwriter before, under the same names.
    // A few per hour: per minute, on an axis of their own (review C14: beside the buffers they were flat at 0).
    sources: [{ probe: 'checkpointer', fields: ['num_timed', 'num_requested'], mode: 'rate' }],
    lines: perMinute(byField),
  },
  {
    id: 'checkpoint_buffers',
    title: 'Buffers written by checkpoints',
    unit: '/s',
    sources: [{ probe: 'checkpointer', fields: ['buffers_written'], mode: 'rate' }],
    lines: byField,
  },
  {
    id: 'bgwriter',
    title: 'Buffers written by the background writer and backends',
    unit: '/s',
    sources: [{ probe: 'bgwriter', fields: ['buffers_clean', 'buffers_backend'], mode: 'rate' }],
    lines: byField,
  },
  {
    id: 'wal',
    title: 'WAL rate',
    unit: 'bytes/s',
    // position_bytes: the WAL position as a byte offset, a counter on every major, primary and standby.
    sources: [{ probe: 'wal', fields: ['position_bytes'], mode: 'rate' }],
    lines: perSeries(() => 'WAL written'),
  },
  {
    id: 'replication_lag',
    title: 'Replication lag per standby (bytes)',
    unit: 'bytes',
    sources: [{ probe: 'replication_lag', fields: ['lag_bytes'], mode: 'gauge' }],
    lines: byObject,
  },
  {
    id: 'replication_lag_s',
    title: 'Replication lag per standby (seconds)',
    unit: 's',
    sources: [{ probe: 'replication_lag', fields: ['replay_lag_s'], mode: 'gauge' }],
    lines: byObject,
  },
  {
    id: 'locks',
    title: 'Locks by mode',
    unit: 'count',
    sources: [{ probe: 'locks', fields: ['locks'], mode: 'gauge' }],
    lines: byObject,
  },
  {
    id: 'blocked',
    title: 'Blocked and blocking sessions',
    unit: 'count',
    sources: [{ probe: 'blocked_sessions', fields: ['blocked', 'blocking'], mode: 'gauge' }],
    lines: byField,
  },
  {
    id: 'database_size',
    title: 'Database sizes',
    unit: 'bytes',
    sources: [{ probe: 'database_size', fields: ['size_bytes'], mode: 'gauge' }],
    lines: byObject,
  },
];

/** Probe whose latest per-table values feed the top-tables lists. */
export const TABLE_STATS_PROBE = /** @type {const} */ ('table_stats');

/**
 * The charts chosen in `dashboards` (ids, in order), or all when none (or none known) is chosen.
 * @param {readonly string[] | undefined} dashboards
 */
export function chosenCharts(dashboards) {
  if (!dashboards || dashboards.length === 0) return CHARTS;
  const byId = new Map(CHARTS.map((c) => [c.id, c]));
  const chosen = dashboards.map((id) => byId.get(id)).filter((c) => c !== undefined);
  return chosen.length > 0 ? chosen : CHARTS;
}
