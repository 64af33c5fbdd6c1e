/**
 * The candidate history layouts of the storage benchmark (issue 19), as SQL.
 * Each is loaded from the same raw samples, staged in the unlogged table
 * `stage.sample` (the columns of `pemhistory.sample`), by its write
 * statement, and dumped to / reloaded from a server-side file by a plain COPY.
 *
 * - A (today, 001_initial.sql and 006_rollup.sql): one row per sample in
 *   `pemhistory.sample` (jsonb value, daily partitions, indexes (agent_id,
 *   sample_id) and (server_id, probe, collected_at), a BRIN on collected_at)
 *   plus `pemhistory.rollup` (60/300/3600-s tiers of the charted fields) built
 *   by the real `pem.rollup_history()`. Built by the backend's migrations.
 * - B (schema `lb`): narrow typed rows: a series dictionary `lb.series`
 *   (agent, server, probe, object, field) → id, one row (series_id, at, v
 *   float8) per numeric value in daily partitions with a (series_id, at)
 *   index, the hourly rollup of every numeric series (n, sum, min, max, inc,
 *   inc_s, resets: 006_rollup.sql's figures), and non-numeric fields once per
 *   change (and the first of each day) in `lb.change`.
 * - C (schema `lc`, and `lc_day` for day blocks): per-series arrays per time
 *   block: one row per (series, block of `blockS` seconds) with `n`, the
 *   timestamps as int4 milliseconds (the first since the block's start, then
 *   deltas) and the values as float8 deltas of the scaled value (scale 0:
 *   every value of the block is an integer; 3: every value has at most 3
 *   decimals, stored ×1000; -1: raw values) — small integers whose float8
 *   bytes are mostly zeros, so PostgreSQL's TOAST compression (lz4,
 *   `ALTER TABLE ... SET COMPRESSION`, PostgreSQL docs §73.2, with
 *   `toast_tuple_target = 128` so that rows of a few hundred bytes are
 *   compressed too) shrinks them; non-numeric fields as in B; the hourly
 *   rollup (as B's) of the charted fields only (pem.rollup_field), as today.
 *
 * Every layout is partitioned by day, so retention drops whole partitions.
 */

/** Layout names. */
export type LayoutName = 'A' | 'B' | 'C-hour' | 'C-day';

/** UTC day partitions "YYYYMMDD" → [from, to) ISO strings covering [fromMs, toMs). */
export function days(fromMs: number, toMs: number): { suffix: string; from: string; to: string }[] {
  const out: { suffix: string; from: string; to: string }[] = [];
  const day = 86_400_000;
  for (let d = Math.floor(fromMs / day) * day; d < toMs; d += day) {
    const from = new Date(d).toISOString();
    out.push({ suffix: from.slice(0, 10).replaceAll('-', ''), from, to: new Date(d + day).toISOString() });
  }
  return out;
}

const partitions = (table: string, ds: ReturnType<typeof days>) =>
  ds
    .map(
      (d) =>
        `CREATE TABLE ${table}_${d.suffix} PARTITION OF ${table} FOR VALUES FROM ('${d.from}') TO ('${d.to}');`,
    )
    .join('\n');

/** The values of the staged samples: one row per field (a non-object value is field 'value'). */
const FIELDS = `SELECT x.agent_id, x.server_id, x.probe, x.object, f.key AS field, x.collected_at, f.value AS j
    FROM stage.sample x
    CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(x.value) = 'object' THEN x.value
                                       ELSE jsonb_build_object('value', x.value) END) f`;

/** DDL shared by B and C: the series dictionary and the non-numeric changes, in schema `s`. */
function dictionaryDdl(s: string, ds: ReturnType<typeof days>): string {
  return `
CREATE SCHEMA ${s};
CREATE TABLE ${s}.series (
  id serial PRIMARY KEY,
  agent_id integer NOT NULL, server_id integer NOT NULL, probe text NOT NULL, object text NOT NULL, field text NOT NULL,
  UNIQUE (server_id, probe, object, field, agent_id)
);
CREATE TABLE ${s}.change (series_id integer NOT NULL, at timestamptz NOT NULL, value jsonb NOT NULL)
  PARTITION BY RANGE (at);
${partitions(`${s}.change`, ds)}
CREATE INDEX ON ${s}.change (series_id, at);`;
}

/** The write statements shared by B and C: new series, then non-numeric changes (first of each day kept). */
function dictionaryWrite(s: string): string[] {
  return [
    `INSERT INTO ${s}.series (agent_id, server_id, probe, object, field)
     SELECT DISTINCT agent_id, server_id, probe, object, field FROM (${FIELDS}) e
     ON CONFLICT DO NOTHING`,
    `INSERT INTO ${s}.change (series_id, at, value)
     SELECT series_id, collected_at, j FROM (
       SELECT s.id AS series_id, e.collected_at, e.j,
              lag(e.j) OVER w AS prev, lag(e.collected_at) OVER w AS prev_at
         FROM (${FIELDS}) e
         JOIN ${s}.series s USING (agent_id, server_id, probe, object, field)
        WHERE jsonb_typeof(e.j) <> 'number'
       WINDOW w AS (PARTITION BY s.id ORDER BY e.collected_at)) q
     WHERE prev IS NULL OR prev IS DISTINCT FROM j
        OR (collected_at AT TIME ZONE 'UTC')::date <> (prev_at AT TIME ZONE 'UTC')::date`,
  ];
}

/** B's DDL. */
export function layoutBDdl(ds: ReturnType<typeof days>): string {
  return `${dictionaryDdl('lb', ds)}
CREATE TABLE lb.point (series_id integer NOT NULL, at timestamptz NOT NULL, v double precision NOT NULL)
  PARTITION BY RANGE (at);
${partitions('lb.point', ds)}
CREATE INDEX ON lb.point (series_id, at);
${rollupDdl('lb', ds)}`;
}

/** B's write statements (dictionary, changes, points, then the hourly rollup; max_gap 900 s as 006_rollup.sql). */
export function layoutBWrite(): string[] {
  return [
    ...dictionaryWrite('lb'),
    `INSERT INTO lb.point (series_id, at, v)
     SELECT s.id, e.collected_at, (e.j)::float8
       FROM (${FIELDS}) e JOIN lb.series s USING (agent_id, server_id, probe, object, field)
      WHERE jsonb_typeof(e.j) = 'number'`,
    rollupWrite('lb', false),
  ];
}

/** C's DDL in schema `s`. */
export function layoutCDdl(s: string, ds: ReturnType<typeof days>, compression: string): string {
  return `${dictionaryDdl(s, ds)}
CREATE TABLE ${s}.block (
  series_id integer NOT NULL,
  block_start timestamptz NOT NULL,
  n integer NOT NULL,
  scale smallint NOT NULL,
  t integer[] NOT NULL,
  v double precision[] NOT NULL
) PARTITION BY RANGE (block_start);
ALTER TABLE ${s}.block ALTER COLUMN t SET COMPRESSION ${compression}, ALTER COLUMN v SET COMPRESSION ${compression};
${ds
  .map(
    (d) =>
      `CREATE TABLE ${s}.block_${d.suffix} PARTITION OF ${s}.block FOR VALUES FROM ('${d.from}') TO ('${d.to}') WITH (toast_tuple_target = 128);`,
  )
  .join('\n')}
CREATE UNIQUE INDEX ON ${s}.block (series_id, block_start);
${rollupDdl(s, ds)}`;
}

/** The hourly rollup (006_rollup.sql's figures per series and hour), partitioned by day, in schema \`s\`. */
function rollupDdl(s: string, ds: ReturnType<typeof days>): string {
  return `CREATE TABLE ${s}.rollup (series_id integer NOT NULL, bucket timestamptz NOT NULL, n integer NOT NULL,
  sum float8 NOT NULL, min float8 NOT NULL, max float8 NOT NULL, inc float8 NOT NULL, inc_s float8 NOT NULL,
  resets integer NOT NULL) PARTITION BY RANGE (bucket);
${partitions(`${s}.rollup`, ds)}
CREATE INDEX ON ${s}.rollup (series_id, bucket);`;
}

/**
 * The hourly rollup of the numeric values of the staged samples, of every
 * series (\`charted\` false) or of the charted fields only (pem.rollup_field,
 * as today's pemhistory.rollup); pairs further apart than 900 s are a gap
 * (006_rollup.sql's max_gap_s).
 */
function rollupWrite(s: string, charted: boolean): string {
  return `INSERT INTO ${s}.rollup
     SELECT series_id, date_bin('1 hour', at, 'epoch'), count(*), sum(v), min(v), max(v),
            coalesce(sum(d) FILTER (WHERE d >= 0 AND dt > 0 AND dt <= 900), 0),
            coalesce(sum(dt) FILTER (WHERE d >= 0 AND dt > 0 AND dt <= 900), 0),
            count(*) FILTER (WHERE d < 0 AND dt > 0 AND dt <= 900)
       FROM (SELECT s.id AS series_id, e.collected_at AS at, (e.j)::float8 AS v,
                    (e.j)::float8 - lag((e.j)::float8) OVER w AS d,
                    date_part('epoch', e.collected_at - lag(e.collected_at) OVER w) AS dt
               FROM (${FIELDS}) e JOIN ${s}.series s USING (agent_id, server_id, probe, object, field)
              WHERE jsonb_typeof(e.j) = 'number'
                ${charted ? 'AND (e.probe, e.field) IN (SELECT probe, field FROM pem.rollup_field)' : ''}
             WINDOW w AS (PARTITION BY s.id ORDER BY e.collected_at)) p
      GROUP BY 1, 2`;
}

/** C's write statements: dictionary, changes, then one row per (series, block) (module note for the encoding). */
export function layoutCWrite(s: string, blockS: number): string[] {
  return [
    ...dictionaryWrite(s),
    `INSERT INTO ${s}.block (series_id, block_start, n, scale, t, v)
     SELECT series_id, b, count(*), min(scale),
            array_agg(CASE WHEN pt IS NULL THEN round(date_part('epoch', collected_at - b) * 1000)
                           ELSE round(date_part('epoch', collected_at - pt) * 1000) END::int ORDER BY collected_at),
            array_agg(CASE WHEN scale = 0 THEN x - coalesce(px, 0)
                           WHEN scale = 3 THEN round(x * 1000) - coalesce(round(px * 1000), 0)
                           ELSE x END ORDER BY collected_at)
       FROM (SELECT s.id AS series_id, date_bin(make_interval(secs => ${blockS}), e.collected_at, 'epoch') AS b,
                    e.collected_at, (e.j)::float8 AS x,
                    lag((e.j)::float8) OVER w AS px, lag(e.collected_at) OVER w AS pt,
                    CASE WHEN bool_and((e.j)::float8 = trunc((e.j)::float8)) OVER p THEN 0
                         WHEN bool_and(round((e.j)::float8 * 1000) / 1000 = (e.j)::float8) OVER p THEN 3
                         ELSE -1 END::smallint AS scale
               FROM (${FIELDS}) e JOIN ${s}.series s USING (agent_id, server_id, probe, object, field)
              WHERE jsonb_typeof(e.j) = 'number'
             WINDOW w AS (PARTITION BY s.id, date_bin(make_interval(secs => ${blockS}), e.collected_at, 'epoch')
                          ORDER BY e.collected_at),
                    p AS (PARTITION BY s.id, date_bin(make_interval(secs => ${blockS}), e.collected_at, 'epoch'))) q
      GROUP BY series_id, b`,
    rollupWrite(s, true),
  ];
}

/**
 * C's decoding: the points (at, v) of one series' blocks in [from, to), as a
 * FROM item `lc_points(s, series_ids, from, to)` (a SQL function created by
 * {@link layoutCDdl}'s caller with {@link layoutCDecodeFunction}).
 */
export function layoutCDecodeFunction(s: string): string {
  return `
CREATE FUNCTION ${s}.points(p_series integer[], p_from timestamptz, p_to timestamptz)
RETURNS TABLE (series_id integer, at timestamptz, v double precision) LANGUAGE sql STABLE AS $$
  SELECT b.series_id, b.block_start + make_interval(secs => d.ms / 1000.0), d.v
    FROM ${s}.block b
    CROSS JOIN LATERAL (
      SELECT sum(u.dt) OVER o AS ms,
             CASE b.scale WHEN 0 THEN sum(u.dv) OVER o WHEN 3 THEN sum(u.dv) OVER o / 1000 ELSE u.dv END AS v
        FROM unnest(b.t, b.v) WITH ORDINALITY AS u(dt, dv, i)
      WINDOW o AS (ORDER BY u.i)) d
   WHERE b.series_id = ANY (p_series)
     AND b.block_start >= p_from - interval '1 day' AND b.block_start < p_to
     AND b.block_start + make_interval(secs => d.ms / 1000.0) >= p_from
     AND b.block_start + make_interval(secs => d.ms / 1000.0) < p_to
$$;`;
}

/**
 * The 7-day chart of each layout: rate per second of `fields` of one server's
 * probe, all objects, in buckets of $5 seconds over [$3, $4) (server $1, probe
 * $2, fields $6 text[]); pairs further apart than 900 s are a gap, a pair that
 * went down is a reset (as packages/web/src/api/series-sql.ts rateSql).
 * A uses the web's own rateSql (from the rollup's 3600-s tier); B and C their hourly rollups.
 */
export function rateChartSql(layout: Exclude<LayoutName, 'A'>): string {
  const s = layout === 'B' ? 'lb' : layout === 'C-hour' ? 'lc' : 'lc_day';
  return `SELECT s.object, s.field, floor(date_part('epoch', r.bucket) / $5) * $5 AS b,
                   sum(r.inc) / nullif(sum(r.inc_s), 0) AS rate, sum(r.resets) AS resets
              FROM ${s}.series s JOIN ${s}.rollup r ON r.series_id = s.id
             WHERE s.server_id = $1 AND s.probe = $2 AND s.field = ANY ($6::text[])
               AND r.bucket >= $3 AND r.bucket < $4
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
}

/** The same chart from C's blocks alone (decoding every point of the 7 days; no rollup). */
export function rateChartDecodeSql(layout: 'C-hour' | 'C-day'): string {
  const s = layout === 'C-hour' ? 'lc' : 'lc_day';
  return `WITH ids AS (SELECT array_agg(id) AS ids FROM ${s}.series
                        WHERE server_id = $1 AND probe = $2 AND field = ANY ($6::text[])),
          p AS (SELECT series_id, at, v - lag(v) OVER w AS d, date_part('epoch', at - lag(at) OVER w) AS dt
                  FROM ${s}.points((SELECT ids FROM ids), $3::timestamptz - interval '900 s', $4)
                WINDOW w AS (PARTITION BY series_id ORDER BY at))
     SELECT s.object, s.field, floor(date_part('epoch', p.at) / $5) * $5 AS b,
            sum(d) FILTER (WHERE d >= 0) / nullif(sum(dt) FILTER (WHERE d >= 0), 0) AS rate,
            count(*) FILTER (WHERE d < 0) AS resets
       FROM p JOIN ${s}.series s ON s.id = p.series_id
      WHERE p.at >= $3 AND p.dt > 0 AND p.dt <= 900
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
}
