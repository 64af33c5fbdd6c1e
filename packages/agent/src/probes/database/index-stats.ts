/**
 * `index_stats` probe: per-index usage and size in one database (docs/reference/metrics.md
 * family 9; docs/reference/pem-facts.md §4 "index statistics", "index size").
 *
 * Sources: monitoring-stats.html#MONITORING-PG-STAT-ALL-INDEXES-VIEW
 * (pg_stat_user_indexes: `idx_scan`, `idx_tup_read`, `idx_tup_fetch`;
 * `last_idx_scan` 16+, NULL before); catalog-pg-index.html (`indisunique`,
 * `indisprimary`, `indisvalid`); `pg_relation_size()` (NULL for an index
 * another session holds or waits for in ACCESS EXCLUSIVE mode: the call
 * would wait for it, see table-stats.ts). Capped to the 100
 * largest indexes (by `relpages`). Object = `database/schema.index`.
 */
import { bool, bytes, counter, text, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

const body = (v16: string) => `
WITH pick AS (
  SELECT i.indexrelid FROM pg_stat_user_indexes i JOIN pg_class c ON c.oid = i.indexrelid
   ORDER BY c.relpages DESC, i.indexrelid LIMIT 100
), -- relations another session holds (or waits for) in ACCESS EXCLUSIVE mode: their size functions
-- would wait for it (lock_timeout) and fail the whole probe; their sizes are NULL instead
locked AS (
  SELECT l.relation FROM pg_locks l
   WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid <> pg_backend_pid()
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
)
SELECT i.schemaname || '.' || i.indexrelname AS index_name,
       i.schemaname || '.' || i.relname AS relation,
       i.idx_scan, i.idx_tup_read, i.idx_tup_fetch,
       ${v16},
       x.indisunique AS is_unique, x.indisprimary AS is_primary, x.indisvalid AS is_valid,
       CASE WHEN i.indexrelid NOT IN (SELECT relation FROM locked) THEN pg_relation_size(i.indexrelid) END AS size_bytes
  FROM pg_stat_user_indexes i JOIN pg_index x ON x.indexrelid = i.indexrelid
 WHERE i.indexrelid IN (SELECT indexrelid FROM pick)
 ORDER BY size_bytes DESC NULLS LAST, index_name`;

const SQL_13 = body('NULL::timestamptz AS last_idx_scan');
const SQL_16 = body('i.last_idx_scan');

/** The `index_stats` probe (database level): one row per index. */
export const indexStatsProbe: Probe = {
  name: 'index_stats',
  level: 'database',
  runsOn: 'both',
  intervalS: 300,
  timeoutMs: 30000,
  description: 'Per-index scans, tuples read/fetched, size, unique/primary/valid (top 100 by size)',
  sql: { 13: SQL_13, 16: SQL_16 },
  objectColumn: 'index_name',
  columns: [
    text('index_name'),
    text('relation'),
    counter('idx_scan'),
    counter('idx_tup_read', 'rows'),
    counter('idx_tup_fetch', 'rows'),
    timestamp('last_idx_scan'),
    bool('is_unique'),
    bool('is_primary'),
    bool('is_valid'),
    bytes('size_bytes'),
  ],
};
