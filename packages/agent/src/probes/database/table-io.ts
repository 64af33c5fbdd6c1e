/**
 * `table_io` probe: buffer hits and reads per table, with hit ratios
 * (docs/reference/metrics.md family 6, "pg_statio_user_tables for hit ratios").
 *
 * Source: monitoring-stats.html#MONITORING-PG-STATIO-ALL-TABLES-VIEW
 * (`heap_blks_read/hit`, `idx_blks_read/hit`, `toast_blks_read/hit`,
 * `tidx_blks_read/hit`; NULL when the table has no index or TOAST table).
 * Ratios are NULL when nothing was read or hit (never a division by zero).
 * Capped to the 100 tables with most block accesses. Object =
 * `database/schema.table`. 13-17.
 */
import { counter, pct, text } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT s.schemaname || '.' || s.relname AS relation,
       s.heap_blks_read, s.heap_blks_hit, s.idx_blks_read, s.idx_blks_hit,
       s.toast_blks_read, s.toast_blks_hit, s.tidx_blks_read, s.tidx_blks_hit,
       CASE WHEN s.heap_blks_read + s.heap_blks_hit > 0
            THEN (100.0 * s.heap_blks_hit / (s.heap_blks_read + s.heap_blks_hit))::float8 END AS heap_hit_ratio_pct,
       CASE WHEN coalesce(s.idx_blks_read, 0) + coalesce(s.idx_blks_hit, 0) > 0
            THEN (100.0 * s.idx_blks_hit / (s.idx_blks_read + s.idx_blks_hit))::float8 END AS idx_hit_ratio_pct
  FROM pg_statio_user_tables s
 ORDER BY s.heap_blks_read + s.heap_blks_hit + coalesce(s.idx_blks_read, 0) + coalesce(s.idx_blks_hit, 0) DESC,
          relation
 LIMIT 100`;

/** The `table_io` probe (database level): one row per table. */
export const tableIoProbe: Probe = {
  name: 'table_io',
  level: 'database',
  runsOn: 'both',
  intervalS: 300,
  timeoutMs: 15000,
  description: 'Per-table buffer hits and reads (heap, index, TOAST) and hit ratios (top 100)',
  sql: { 13: SQL_13 },
  objectColumn: 'relation',
  columns: [
    text('relation'),
    counter('heap_blks_read', 'blocks'),
    counter('heap_blks_hit', 'blocks'),
    counter('idx_blks_read', 'blocks'),
    counter('idx_blks_hit', 'blocks'),
    counter('toast_blks_read', 'blocks'),
    counter('toast_blks_hit', 'blocks'),
    counter('tidx_blks_read', 'blocks'),
    counter('tidx_blks_hit', 'blocks'),
    pct('heap_hit_ratio_pct'),
    pct('idx_hit_ratio_pct'),
  ],
};
