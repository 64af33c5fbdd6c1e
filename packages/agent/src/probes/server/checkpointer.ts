/**
 * `checkpointer` probe: checkpoints and restartpoints (docs/reference/metrics.md family 4),
 * with the same columns on every major so a series survives an upgrade.
 *
 * Sources: 13-16 monitoring-stats.html#MONITORING-PG-STAT-BGWRITER-VIEW
 * (`checkpoints_timed`, `checkpoints_req`, `checkpoint_write_time`,
 * `checkpoint_sync_time`, `buffers_checkpoint`; restartpoints are counted as
 * checkpoints there, so `restartpoints_*` are NULL); 17+
 * monitoring-stats.html#MONITORING-PG-STAT-CHECKPOINTER-VIEW (`num_timed`,
 * `num_requested`, `restartpoints_timed`, `restartpoints_req`,
 * `restartpoints_done`, `write_time`, `sync_time`, `buffers_written`).
 * `last_checkpoint_at` and its age come from
 * functions-info.html#FUNCTIONS-CONTROLDATA `pg_control_checkpoint()`.
 */
import { counter, counterMs, seconds, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

const LAST = `(SELECT checkpoint_time FROM pg_control_checkpoint()) AS last_checkpoint_at,
       greatest(0, extract(epoch FROM clock_timestamp() - (SELECT checkpoint_time FROM pg_control_checkpoint())))::float8
         AS last_checkpoint_age_s`;

const SQL_13 = `
SELECT checkpoints_timed AS num_timed, checkpoints_req AS num_requested,
       NULL::bigint AS restartpoints_timed, NULL::bigint AS restartpoints_req, NULL::bigint AS restartpoints_done,
       checkpoint_write_time::float8 AS write_time_ms, checkpoint_sync_time::float8 AS sync_time_ms,
       buffers_checkpoint AS buffers_written, stats_reset,
       ${LAST}
  FROM pg_stat_bgwriter`;

const SQL_17 = `
SELECT num_timed, num_requested, restartpoints_timed, restartpoints_req, restartpoints_done,
       write_time::float8 AS write_time_ms, sync_time::float8 AS sync_time_ms,
       buffers_written, stats_reset,
       ${LAST}
  FROM pg_stat_checkpointer`;

/** The `checkpointer` probe: one row. */
export const checkpointerProbe: Probe = {
  name: 'checkpointer',
  level: 'server',
  runsOn: 'both',
  intervalS: 60,
  timeoutMs: 5000,
  description: 'Checkpoints and restartpoints: counts, write/sync time, buffers written, last checkpoint',
  sql: { 13: SQL_13, 17: SQL_17 },
  columns: [
    counter('num_timed'),
    counter('num_requested'),
    counter('restartpoints_timed'),
    counter('restartpoints_req'),
    counter('restartpoints_done'),
    counterMs('write_time_ms'),
    counterMs('sync_time_ms'),
    counter('buffers_written', 'blocks'),
    timestamp('stats_reset'),
    timestamp('last_checkpoint_at'),
    seconds('last_checkpoint_age_s'),
  ],
};
