/**
 * `table_bloat` probe: a statistical estimate of table bloat (docs/reference/metrics.md
 * family 10; docs/reference/pem-facts.md §4 "table bloat"), cheap enough to run hourly.
 *
 * Estimate: the space the live rows need, from `pg_class.reltuples` and the
 * average row width in pg_stats (`avg_width`, `null_frac`), with the heap
 * page header (24 bytes), item pointer (4 bytes), tuple header (23 bytes,
 * MAXALIGNed with its null bitmap) and the table's `fillfactor`
 * (storage.html "Database Page Layout"; view-pg-stats.html;
 * sql-createtable.html fillfactor), compared with the table's size.
 * `expected_bytes`, `bloat_bytes` and `bloat_pct` are NULL when the estimate
 * has no basis: the table was never analyzed (`reltuples` is -1 since 14, or
 * pg_stats lacks columns), or pg_stats hides the table from the monitoring
 * role (it shows only columns the role may SELECT: grant SELECT to get
 * estimates). pgstattuple gives exact figures but reads the whole table: run
 * it by hand. Capped to the 100 largest tables. Object = `database/schema.table`.
 */
import { bytes, pct, text } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
WITH t AS (
  SELECT c.oid, n.nspname, c.relname, c.reltuples, c.relpages,
         current_setting('block_size')::int AS bs,
         coalesce((SELECT substring(o FROM 'fillfactor=(\\d+)')::int FROM unnest(c.reloptions) AS o
                    WHERE o LIKE 'fillfactor=%'), 100) AS fillfactor,
         (SELECT count(*) FROM pg_attribute a
           WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS ncols
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'm') AND c.relpages > 0
     AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
   ORDER BY c.relpages DESC, c.oid LIMIT 100
), w AS (
  SELECT t.*,
         (SELECT count(*) FROM pg_stats s WHERE s.schemaname = t.nspname AND s.tablename = t.relname
             AND NOT s.inherited) AS stat_cols,
         (SELECT sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 0)) FROM pg_stats s
           WHERE s.schemaname = t.nspname AND s.tablename = t.relname AND NOT s.inherited) AS data_width,
         (SELECT bool_or(s.null_frac > 0) FROM pg_stats s
           WHERE s.schemaname = t.nspname AND s.tablename = t.relname AND NOT s.inherited) AS has_nulls
    FROM t
), e AS (
  SELECT w.*, w.relpages::bigint * w.bs AS table_bytes,
         CASE WHEN w.reltuples >= 0 AND w.ncols > 0 AND w.stat_cols = w.ncols THEN
           ceil(w.reltuples * (4 + 8 * ceil((23 + CASE WHEN w.has_nulls THEN ceil(w.ncols / 8.0) ELSE 0 END) / 8.0)
                                 + 8 * ceil(w.data_width / 8.0))
                / floor((w.bs - 24) * w.fillfactor / 100.0)) * w.bs
         END::bigint AS expected_bytes
    FROM w
)
SELECT e.nspname || '.' || e.relname AS relation, e.table_bytes, e.expected_bytes,
       greatest(e.table_bytes - e.expected_bytes, 0) AS bloat_bytes,
       CASE WHEN e.expected_bytes IS NOT NULL AND e.table_bytes > 0
            THEN (100.0 * greatest(e.table_bytes - e.expected_bytes, 0) / e.table_bytes)::float8 END AS bloat_pct
  FROM e
 ORDER BY e.table_bytes DESC, relation`;

/** The `table_bloat` probe (database level): one row per table (estimate). */
export const tableBloatProbe: Probe = {
  name: 'table_bloat',
  level: 'database',
  runsOn: 'both',
  intervalS: 3600,
  timeoutMs: 30000,
  description: 'Estimated table bloat from planner statistics (top 100 tables by size)',
  sql: { 13: SQL_13 },
  objectColumn: 'relation',
  columns: [
    text('relation'),
    bytes('table_bytes'),
    bytes('expected_bytes'),
    bytes('bloat_bytes'),
    pct('bloat_pct'),
  ],
};
