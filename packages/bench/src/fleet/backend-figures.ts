/**
 * What the fleet benchmark reads from the pem backend, as `postgres` through
 * psql (TestPostgres.psql), each one statement answering JSON:
 *
 * - {@link storageSnapshot}: the history's size on disk, every leaf table of
 *   schema `pemhistory` (the sample partitions, the rollup and its queue)
 *   with its indexes and TOAST (pg_total_relation_size, PostgreSQL docs
 *   §9.27.7 "Database Object Management Functions"), the WAL position
 *   (pg_current_wal_lsn, §9.27.3), and the rows inserted into the sample
 *   partitions so far (pg_stat_user_tables.n_tup_ins, §28.2.18: counted at
 *   commit, reported within a second or so; cheap, no scan);
 * - {@link newestSampleAges}: per monitored server, how old its newest
 *   sample at the backend is (now() - max(collected_at) of pemdata.latest,
 *   the agent's collection time): the ingest lag a user sees;
 * - {@link storedValues}: the rows and values of the history collected in a
 *   time range (one scan; run after the CPU window). A value is one field of
 *   a sample's `value` object (a value that is not an object is one value); numeric values (jsonb_typeof 'number') are
 *   counted apart, they are what a time-series store would store.
 */

/** Runs one SQL statement on the backend's `pem` database; resolves to psql -At's output. */
export type PemSql = (sql: string) => Promise<string>;

/** The history's size and the WAL position at one moment. */
export interface StorageSnapshot {
  atMs: number;
  historyBytes: number;
  /** Of which the rollup tables (pemhistory.rollup*). */
  rollupBytes: number;
  /** pg_current_wal_lsn - '0/0', bytes. */
  walLsnBytes: number;
  /** Rows inserted into pemhistory.sample's partitions since the server started (n_tup_ins). */
  sampleRowsInserted: number;
}

/** Reads a {@link StorageSnapshot}. */
export async function storageSnapshot(sql: PemSql): Promise<StorageSnapshot> {
  const j = JSON.parse(
    await sql(`SELECT json_build_object(
      'historyBytes', (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
                        JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = 'pemhistory' AND c.relkind IN ('r', 'm')),
      'rollupBytes', (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
                        JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = 'pemhistory' AND c.relkind = 'r' AND c.relname LIKE 'rollup%'),
      'walLsnBytes', pg_current_wal_lsn() - '0/0'::pg_lsn,
      'sampleRowsInserted', (SELECT coalesce(sum(s.n_tup_ins), 0) FROM pg_stat_user_tables s
                              JOIN pg_inherits i ON i.inhrelid = s.relid
                             WHERE i.inhparent = 'pemhistory.sample'::regclass))`),
  ) as Omit<StorageSnapshot, 'atMs'>;
  return {
    atMs: Date.now(),
    historyBytes: Number(j.historyBytes),
    rollupBytes: Number(j.rollupBytes),
    walLsnBytes: Number(j.walLsnBytes),
    sampleRowsInserted: Number(j.sampleRowsInserted),
  };
}

/**
 * The age of each server's newest sample at the backend, seconds, for
 * servers `ids`; `missing` counts those without any sample yet.
 */
export async function newestSampleAges(
  sql: PemSql,
  ids: readonly number[],
): Promise<{ agesS: number[]; missing: number }> {
  const j = JSON.parse(
    await sql(`SELECT coalesce(json_agg(age), '[]') FROM (
      SELECT extract(epoch FROM now() - max(collected_at))::float8 AS age
        FROM pemdata.latest WHERE server_id = ANY ('{${ids.join(',')}}'::int[]) GROUP BY server_id) a`),
  ) as number[];
  return { agesS: j, missing: ids.length - j.length };
}

/** Rows and values of the history collected in [fromMs, toMs); `all*`: the whole history. */
export interface StoredValues {
  rows: number;
  values: number;
  numericValues: number;
  allRows: number;
  allValues: number;
  allNumericValues: number;
}

/** Counts {@link StoredValues} (one scan of the history). */
export async function storedValues(sql: PemSql, fromMs: number, toMs: number): Promise<StoredValues> {
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const j = JSON.parse(
    await sql(`SELECT json_build_object(
        'rows', count(*) FILTER (WHERE inside), 'values', coalesce(sum(n) FILTER (WHERE inside), 0),
        'numericValues', coalesce(sum(num) FILTER (WHERE inside), 0),
        'allRows', count(*), 'allValues', coalesce(sum(n), 0), 'allNumericValues', coalesce(sum(num), 0))
      FROM (SELECT collected_at >= '${from}' AND collected_at < '${to}' AS inside,
                   (SELECT count(*) FROM jsonb_each(o)) AS n,
                   (SELECT count(*) FROM jsonb_each(o) e WHERE jsonb_typeof(e.value) = 'number') AS num
              FROM (SELECT collected_at,
                           CASE WHEN jsonb_typeof(value) = 'object' THEN value ELSE jsonb_build_object('value', value) END AS o
                      FROM pemhistory.sample) s) x`),
  ) as Record<keyof StoredValues, number | string>;
  return {
    rows: Number(j.rows),
    values: Number(j.values),
    numericValues: Number(j.numericValues),
    allRows: Number(j.allRows),
    allValues: Number(j.allValues),
    allNumericValues: Number(j.allNumericValues),
  };
}
