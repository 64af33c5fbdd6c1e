/**
 * `table_stats` probe: per-table statistics and sizes in one database
 * (docs/reference/metrics.md family 9; docs/reference/pem-facts.md §4 "table statistics", "table size").
 *
 * Sources: monitoring-stats.html#MONITORING-PG-STAT-ALL-TABLES-VIEW
 * (pg_stat_user_tables: scans, tuples, `n_dead_tup`, `n_mod_since_analyze`,
 * `n_ins_since_vacuum` 13+, last (auto)vacuum/analyze and their counts;
 * `last_seq_scan`, `last_idx_scan`, `n_tup_newpage_upd` 16+, NULL before);
 * functions-admin.html#FUNCTIONS-ADMIN-DBSIZE (`pg_total_relation_size`,
 * `pg_relation_size`, `pg_indexes_size`; they take an AccessShareLock, which
 * waits behind an ACCESS EXCLUSIVE lock: the sizes of a table another
 * session holds or waits for in that mode (pg_locks) are NULL, so one locked
 * table does not fail the probe for its whole database; the probe's
 * `lock_timeout` bounds a lock taken between the check and the call).
 *
 * Capped to 100 tables on large schemas: the 50 largest (by `relpages` of
 * the table, its TOAST table and indexes, as of the last VACUUM/ANALYZE),
 * the 25 with most dead tuples and the 25 most scanned. `dead_tup_pct` is
 * NULL for a table with no tuples. Object = `database/schema.table`.
 */
import { bytes, counter, gauge, pct, text, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

const body = (v16: string) => `
WITH t AS (
  SELECT s.*,
         c.relpages + coalesce((SELECT sum(i.relpages) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                                 WHERE x.indrelid = s.relid), 0)
           + coalesce((SELECT tc.relpages FROM pg_class tc WHERE tc.oid = c.reltoastrelid), 0) AS est_pages
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
), -- relations another session holds (or waits for) in ACCESS EXCLUSIVE mode: their size functions
-- would wait for it (lock_timeout) and fail the whole probe; their sizes are NULL instead
locked AS (
  SELECT l.relation FROM pg_locks l
   WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid <> pg_backend_pid()
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
), pick AS (
  (SELECT relid FROM t ORDER BY est_pages DESC, relid LIMIT 50)
  UNION (SELECT relid FROM t ORDER BY n_dead_tup DESC, relid LIMIT 25)
  UNION (SELECT relid FROM t ORDER BY coalesce(seq_scan, 0) + coalesce(idx_scan, 0) DESC, relid LIMIT 25)
)
SELECT s.schemaname || '.' || s.relname AS relation,
       s.seq_scan, s.seq_tup_read, s.idx_scan, s.idx_tup_fetch,
       s.n_tup_ins, s.n_tup_upd, s.n_tup_del, s.n_tup_hot_upd,
       s.n_live_tup, s.n_dead_tup,
       CASE WHEN s.n_live_tup + s.n_dead_tup > 0
            THEN (100.0 * s.n_dead_tup / (s.n_live_tup + s.n_dead_tup))::float8 END AS dead_tup_pct,
       s.n_mod_since_analyze, s.n_ins_since_vacuum,
       s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze,
       s.vacuum_count, s.autovacuum_count, s.analyze_count, s.autoanalyze_count,
       ${v16},
       CASE WHEN s.relid NOT IN (SELECT relation FROM locked) THEN pg_total_relation_size(s.relid) END AS total_bytes,
       CASE WHEN s.relid NOT IN (SELECT relation FROM locked) THEN pg_relation_size(s.relid) END AS table_bytes,
       CASE WHEN s.relid NOT IN (SELECT relation FROM locked) THEN pg_indexes_size(s.relid) END AS index_bytes
  FROM t AS s
 WHERE s.relid IN (SELECT relid FROM pick)
 ORDER BY total_bytes DESC NULLS LAST, relation`;

const SQL_13 = body(
  'NULL::timestamptz AS last_seq_scan, NULL::timestamptz AS last_idx_scan, NULL::bigint AS n_tup_newpage_upd',
);
const SQL_16 = body('s.last_seq_scan, s.last_idx_scan, s.n_tup_newpage_upd');

/** The `table_stats` probe (database level): one row per table (object = `db/schema.table`). */
export const tableStatsProbe: Probe = {
  name: 'table_stats',
  level: 'database',
  runsOn: 'both',
  intervalS: 300,
  timeoutMs: 30000,
  description: 'Per-table scans, tuples, dead tuples, vacuum/analyze times and sizes (top 100)',
  sql: { 13: SQL_13, 16: SQL_16 },
  objectColumn: 'relation',
  columns: [
    text('relation'),
    counter('seq_scan'),
    counter('seq_tup_read', 'rows'),
    counter('idx_scan'),
    counter('idx_tup_fetch', 'rows'),
    counter('n_tup_ins', 'rows'),
    counter('n_tup_upd', 'rows'),
    counter('n_tup_del', 'rows'),
    counter('n_tup_hot_upd', 'rows'),
    gauge('n_live_tup', 'bigint', 'rows'),
    gauge('n_dead_tup', 'bigint', 'rows'),
    pct('dead_tup_pct'),
    gauge('n_mod_since_analyze', 'bigint', 'rows'),
    gauge('n_ins_since_vacuum', 'bigint', 'rows'),
    timestamp('last_vacuum'),
    timestamp('last_autovacuum'),
    timestamp('last_analyze'),
    timestamp('last_autoanalyze'),
    counter('vacuum_count'),
    counter('autovacuum_count'),
    counter('analyze_count'),
    counter('autoanalyze_count'),
    timestamp('last_seq_scan'),
    timestamp('last_idx_scan'),
    counter('n_tup_newpage_upd', 'rows'),
    bytes('total_bytes'),
    bytes('table_bytes'),
    bytes('index_bytes'),
  ],
};
