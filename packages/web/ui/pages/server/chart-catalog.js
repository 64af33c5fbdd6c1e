// @ts-check
// The charts of the server analysis page. Each chart names where its data
// comes from: one or more `sources` (probe, fields, gauge or rate), tried in
// order, the first whose probe has data for the server being used. `lines`
// turns the API's answer (GET /api/servers/:id/series) into labelled lines.
//
// Probes and fields are the agent's, as the contract declares them
// (contract/probe-columns.ts, generated from packages/agent/src/probes): a
// field a probe does not have fails the type check. A chart whose probe has
// no data for the server says so instead of drawing nothing.

/** @typedef {import('../../contract/probe-columns.js').ProbeValues} ProbeValues */
/** @typedef {import('../../contract/probe-columns.js').ProbeName} ProbeName */
/** @typedef {import('../../lib/api.js').SeriesAnswer} SeriesAnswer */
/** @typedef {import('../../components/chart.js').Line} Line */
/**
 * Where a chart's data comes from: a probe, some of its columns, and whether
 * they are gauges or counters (charted as their rate).
 * @typedef {{ [P in ProbeName]: { probe: P, fields: readonly (keyof ProbeValues[P] & string)[], mode: 'gauge' | 'rate' } }[ProbeName]} ChartSource
 */
/**
 * A chart: `unit` drives axis formatting (lib/format.js withUnit).
 * @typedef {{
 *   id: string, title: string, unit: import('../../lib/format.js').ChartUnit,
 *   sources: readonly ChartSource[], lines: (answer: SeriesAnswer) => Line[],
 * }} Chart
 */

/**
 * One line per series, labelled by `label`.
 * @param {(s: SeriesAnswer['series'][number]) => string} label
 * @returns {(answer: SeriesAnswer) => Line[]}
 */
const perSeries = (label) => (answer) => answer.series.map((s) => ({ label: label(s), values: s.values }));

const byObject = perSeries((s) => s.object || s.field);

/**
 * Cache hit ratio per bucket from the rates of blocks hit and read (null when neither moved).
 * @param {SeriesAnswer} answer
 * @returns {Line[]}
 */
function hitRatio(answer) {
  const hit = answer.series.find((s) => s.field === 'blks_hit');
  const read = answer.series.find((s) => s.field === 'blks_read');
  if (!hit || !read) return [];
  const values = hit.values.map((h, i) => {
    const r = read.values[i] ?? null;
    if (h === null || r === null || h + r === 0) return null;
    return (100 * h) / (h + r);
  });
  return [{ label: 'cache hit %', values }];
}

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

/** Legend labels of fields, where the column name alone says too little. @type {Record<string, string>} */
const LABELS = {
  xact_commit: 'commits',
  xact_rollback: 'rollbacks',
  num_timed: 'checkpoints timed',
  num_requested: 'checkpoints requested',
  buffers_written: 'buffers written',
  buffers_clean: 'by the background writer',
  buffers_backend: 'by backends',
  blocked: 'blocked sessions',
  blocking: 'blocking sessions',
};
const byField = perSeries((s) => LABELS[s.field] ?? s.field);

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
    title: 'Checkpoints and buffers written by them',
    unit: '/s',
    // The probe reads pg_stat_checkpointer on 17 and pg_stat_bgwriter before, under the same names.
    sources: [
      { probe: 'checkpointer', fields: ['num_timed', 'num_requested', 'buffers_written'], mode: 'rate' },
    ],
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

/**
 * The first source of `chart` whose probe is in `present`, or undefined.
 * @template {{ probe: string }} S
 * @param {{ sources: readonly S[] }} chart
 * @param {ReadonlySet<string>} present names of the probes with data for the server
 */
export function sourceFor(chart, present) {
  return chart.sources.find((s) => present.has(s.probe));
}
