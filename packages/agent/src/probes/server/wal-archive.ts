/**
 * `wal_archive` probe: WAL archiving (docs/reference/pem-facts.md §4 "WAL archive status";
 * docs/reference/metrics.md family 5).
 *
 * Sources: monitoring-stats.html#MONITORING-PG-STAT-ARCHIVER-VIEW
 * (`archived_count`, `failed_count`, last archived/failed WAL and time,
 * `stats_reset`); functions-admin.html#FUNCTIONS-ADMIN-GENFILE
 * `pg_ls_archive_statusdir()` (12+, granted to `pg_monitor`): `.ready` files
 * are segments waiting to be archived. 13-17, primary and standby.
 */
import { count, counter, text, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT current_setting('archive_mode') AS archive_mode,
       a.archived_count, a.failed_count,
       a.last_archived_wal, a.last_archived_time AS last_archived_at,
       a.last_failed_wal, a.last_failed_time AS last_failed_at,
       (SELECT count(*) FROM pg_ls_archive_statusdir() s WHERE s.name LIKE '%.ready')::int AS pending_files,
       a.stats_reset
  FROM pg_stat_archiver a`;

/** The `wal_archive` probe: one row. */
export const walArchiveProbe: Probe = {
  name: 'wal_archive',
  level: 'server',
  runsOn: 'both',
  intervalS: 60,
  timeoutMs: 10000,
  description: 'WAL archiving: archived and failed counts, last WAL archived/failed, files pending',
  sql: { 13: SQL_13 },
  columns: [
    text('archive_mode'),
    counter('archived_count'),
    counter('failed_count'),
    text('last_archived_wal'),
    timestamp('last_archived_at'),
    text('last_failed_wal'),
    timestamp('last_failed_at'),
    count('pending_files'),
    timestamp('stats_reset'),
  ],
};
