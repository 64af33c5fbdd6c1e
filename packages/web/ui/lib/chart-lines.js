// @ts-check
// What a chart is, and the helpers that turn the API's answer (GET
// /api/servers/:id/series, /api/agents/:id/series) into labelled lines:
// shared by every page that draws charts (server, database, table, host,
// query). Each chart names where its data comes from: one or more
// `sources` (probe, fields, gauge or rate), tried in order, the first whose
// probe has data being used.
//
// Probes and fields are the agent's, as the contract declares them
// (contract/probe-columns.ts, generated from packages/agent/src/probes): a
// field a probe does not have fails the type check.

/** @typedef {import('../contract/probe-columns.js').ProbeValues} ProbeValues */
/** @typedef {import('../contract/probe-columns.js').ProbeName} ProbeName */
/** @typedef {import('./api.js').SeriesAnswer} SeriesAnswer */
/** @typedef {import('../components/chart.js').Line} Line */
/**
 * Where a chart's data comes from: a probe, some of its columns, and whether
 * they are gauges or counters (charted as their rate).
 * @typedef {{ [P in ProbeName]: { probe: P, fields: readonly (keyof ProbeValues[P] & string)[], mode: 'gauge' | 'rate' } }[ProbeName]} ChartSource
 */
/**
 * A chart: `unit` drives axis formatting (lib/format.js axisValues).
 * @typedef {{
 *   id: string, title: string, unit: import('./format.js').ChartUnit,
 *   sources: readonly ChartSource[], lines: (answer: SeriesAnswer) => Line[],
 * }} Chart
 */

/**
 * One line per series, labelled by `label`.
 * @param {(s: SeriesAnswer['series'][number]) => string} label
 * @returns {(answer: SeriesAnswer) => Line[]}
 */
export const perSeries = (label) => (answer) =>
  answer.series.map((s) => ({ label: label(s), values: s.values }));

/** One line per object (its name), or per field when the probe has one object. */
export const byObject = perSeries((s) => s.object || s.field);

/**
 * Cache hit ratio per bucket from the rates of blocks hit and read (null when neither moved).
 * `hitField`/`readField` name the columns (blks_hit/blks_read, heap_blks_hit/heap_blks_read).
 * @param {string} [hitField]
 * @param {string} [readField]
 * @returns {(answer: SeriesAnswer) => Line[]}
 */
export const hitRatioOf =
  (hitField = 'blks_hit', readField = 'blks_read') =>
  (answer) => {
    const hit = answer.series.find((s) => s.field === hitField);
    const read = answer.series.find((s) => s.field === readField);
    if (!hit || !read) return [];
    const values = hit.values.map((h, i) => {
      const r = read.values[i] ?? null;
      if (h === null || r === null || h + r === 0) return null;
      return (100 * h) / (h + r);
    });
    return [{ label: 'cache hit %', values }];
  };

/** Cache hit ratio from blks_hit and blks_read. */
export const hitRatio = hitRatioOf();

/** Legend labels of fields, where the column name alone says too little. @type {Record<string, string>} */
export const LABELS = {
  xact_commit: 'commits',
  xact_rollback: 'rollbacks',
  num_timed: 'checkpoints timed',
  num_requested: 'checkpoints requested',
  buffers_written: 'buffers written (8 KiB blocks)',
  buffers_clean: 'by the background writer',
  buffers_backend: 'by backends',
  blocked: 'blocked sessions',
  blocking: 'blocking sessions',
  tup_inserted: 'inserted',
  tup_updated: 'updated',
  tup_deleted: 'deleted',
  n_tup_ins: 'inserted',
  n_tup_upd: 'updated',
  n_tup_del: 'deleted',
  n_tup_hot_upd: 'HOT updated',
  n_live_tup: 'live',
  n_dead_tup: 'dead',
  seq_scan: 'sequential scans',
  idx_scan: 'index scans',
  total_bytes: 'total',
  table_bytes: 'table (heap)',
  index_bytes: 'indexes',
  user_pct: 'user',
  system_pct: 'system',
  iowait_pct: 'I/O wait',
  steal_pct: 'steal',
  used_bytes: 'used',
  cached_bytes: 'cache',
  available_bytes: 'available',
  read_bytes: 'read',
  write_bytes: 'written',
  rx_bytes: 'received',
  tx_bytes: 'sent',
  pages_in: 'pages in',
  pages_out: 'pages out',
  temp_bytes: 'temporary files',
  deadlocks: 'deadlocks',
  conflicts: 'recovery conflicts',
  xid_age: 'transaction ID age',
  mxid_age: 'multixact ID age',
};

/** One line per field, labelled by LABELS or the column name. */
export const byField = perSeries((s) => LABELS[s.field] ?? s.field);

/** One line per object and field ("sda read"), for probes with several objects and fields. */
export const byObjectField = perSeries((s) => `${s.object} ${LABELS[s.field] ?? s.field}`.trim());

/**
 * The lines of `make`, per-second rates turned into per-minute ones.
 * @param {(answer: SeriesAnswer) => Line[]} make
 * @returns {(answer: SeriesAnswer) => Line[]}
 */
export const perMinute = (make) => (answer) =>
  make(answer).map((l) => ({ label: l.label, values: l.values.map((x) => (x === null ? null : x * 60)) }));

/**
 * The first source of `chart` whose probe is in `present`, or undefined.
 * @template {{ probe: string }} S
 * @param {{ sources: readonly S[] }} chart
 * @param {ReadonlySet<string>} present names of the probes with data for the server
 */
export function sourceFor(chart, present) {
  return chart.sources.find((s) => present.has(s.probe));
}
