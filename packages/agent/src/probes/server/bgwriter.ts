/**
 * `bgwriter` probe: the background writer (docs/reference/metrics.md family 4).
 *
 * Source: monitoring-stats.html#MONITORING-PG-STAT-BGWRITER-VIEW:
 * `buffers_clean`, `maxwritten_clean`, `buffers_alloc`, `stats_reset` on
 * 13-17; `buffers_backend` and `buffers_backend_fsync` up to 16 (17 moved
 * backend writes to pg_stat_io: NULL here, see the `io` probe). The
 * checkpoint counters of pg_stat_bgwriter are in the `checkpointer` probe.
 */
import { counter, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT buffers_clean, maxwritten_clean, buffers_alloc, buffers_backend, buffers_backend_fsync, stats_reset
  FROM pg_stat_bgwriter`;

const SQL_17 = `
SELECT buffers_clean, maxwritten_clean, buffers_alloc,
       NULL::bigint AS buffers_backend, NULL::bigint AS buffers_backend_fsync, stats_reset
  FROM pg_stat_bgwriter`;

/** The `bgwriter` probe: one row. */
export const bgwriterProbe: Probe = {
  name: 'bgwriter',
  level: 'server',
  runsOn: 'both',
  intervalS: 60,
  timeoutMs: 5000,
  description: 'Background writer: buffers cleaned, stops at bgwriter_lru_maxpages, buffers allocated',
  sql: { 13: SQL_13, 17: SQL_17 },
  columns: [
    counter('buffers_clean', 'blocks'),
    counter('maxwritten_clean'),
    counter('buffers_alloc', 'blocks'),
    counter('buffers_backend', 'blocks'),
    counter('buffers_backend_fsync'),
    timestamp('stats_reset'),
  ],
};
