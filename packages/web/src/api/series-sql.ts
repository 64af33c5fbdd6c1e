/**
 * The SQL of downsampled series, from the samples (pemhistory.sample, 001_initial.sql: one row
 * per sample, `value` the probe's row as jsonb, index on (server_id, probe, collected_at) in
 * every daily partition; and the compacted days, 019_history_blocks.sql, both read through
 * pem.history_samples) and, for long ranges, from the rollup (pemhistory.rollup,
 * 006_rollup.sql: per field and object, partial aggregates per 60, 300 or 3600 s).
 *
 * Parameters: $1 server id (0: an agent's host), $2 probe, $3 from, $4 to (timestamptz), $5
 * bucket width in seconds, $6 field names (text[]), $7 object filter (text, NULL = every
 * object), $8 rollup width in seconds (0 = samples only; else a divisor of $5 and of $3's epoch
 * seconds), $9 agent id (integer, NULL = any agent; a host's series, server 0, name their agent
 * and read no rollup, which is kept per server only).
 *
 * With a rollup width, and when every field of $6 is rolled up (pem.rollup_field), buckets
 * below the rollup's `rolled_through` come from the rollup and the rest from the samples;
 * otherwise everything comes from the samples. Both give the same figures, to the last bit: the
 * rollup keeps sums, not averages, and every sum is exact whatever the grouping (gauge values
 * are added as numeric, read with pem.jsonb_number; the counters' increments and seconds are
 * float8 sums that are exact: 021_rollup_exact_sums.sql), so a chart does not change when the
 * rollup catches up. Other field values are read with pem.jsonb_float8, as the rollup does.
 * Pairs of counter samples further apart than the rollup state's max_gap_s are a gap. Each
 * statement returns one row per (object, field) with data: `k` the field's position in $6
 * (from 1) and `pts` (json) the buckets with data in time order, each an array whose first item
 * `b` is the bucket's start in seconds since the epoch (one json value per series, so the
 * instance parses little).
 */

const cols = (n: number, f: (k: number) => string) =>
  Array.from({ length: n }, (_, i) => f(i + 1)).join(', ');

/**
 * ARRAY[x1, ..., xn]: the fields of a sample as float8 (`pem.jsonb_float8`), or as numeric
 * (`pem.jsonb_number`, for exact sums); NULL where missing or not numeric.
 */
const fieldArray = (n: number, read = 'pem.jsonb_float8') =>
  `ARRAY[${cols(n, (k) => `${read}(h.value -> ($6::text[])[${k}])`)}]`;

/**
 * `r`: where the samples take over from the rollup (clamped to [$3, $4]; $3 when the rollup
 * does not apply), and `gap`: the longest pair of counter samples that makes a rate.
 */
const LIMIT_CTE = `lim AS MATERIALIZED (
  SELECT CASE WHEN $8::int > 0
               AND (SELECT count(*) FROM pem.rollup_field f WHERE f.probe = $2 AND f.field = ANY($6::text[]))
                   = cardinality($6::text[])
              THEN least($4::timestamptz, greatest($3::timestamptz, coalesce(st.rolled_through, $3::timestamptz)))
              ELSE $3::timestamptz END AS r,
         st.max_gap_s AS gap
    FROM pemhistory.rollup_state st
)`;

const ROLLUP_RANGE = `m.server_id = $1 AND m.probe = $2 AND m.width_s = $8 AND m.field = ANY($6::text[])
     AND m.bucket >= $3 AND m.bucket < (SELECT r FROM lim) AND ($7::text IS NULL OR m.object = $7)`;

/**
 * The samples of [`from`, $4): the hot rows and the compacted days alike (pem.history_samples,
 * inlined by the planner: its arguments are columns of `lim`, not subqueries), the fields of $6.
 */
const samples = (
  from: string,
) => `lim CROSS JOIN LATERAL pem.history_samples($1, $2, ${from}, $4, $6::text[]) h
   WHERE ($7::text IS NULL OR h.object = $7) AND ($9::int IS NULL OR h.agent_id = $9)`;

const bucket = (epoch: string) => `floor(${epoch} / $5::float8) * $5::float8`;

/** Gauges of `n` fields (1-8): per object, field and bucket, [b, average, minimum, maximum]. */
export function gaugeSql(n: number): string {
  return `
WITH ${LIMIT_CTE},
parts AS (
  SELECT m.object, f.k, m.bucket AS at, m.n, m.sum, m.min, m.max
    FROM pemhistory.rollup m JOIN unnest($6::text[]) WITH ORDINALITY AS f(field, k) ON f.field = m.field
   WHERE ${ROLLUP_RANGE}
  UNION ALL
  SELECT s.object, u.k, s.collected_at, 1, u.x, u.x::float8, u.x::float8
    FROM (SELECT object, collected_at, ${fieldArray(n, 'pem.jsonb_number')} AS xs
            FROM ${samples('lim.r')}) s
    CROSS JOIN LATERAL unnest(s.xs) WITH ORDINALITY AS u(x, k)
   WHERE u.x IS NOT NULL
)
SELECT object, k::int AS k, json_agg(json_build_array(b, v, lo, hi) ORDER BY b) AS pts
  FROM (SELECT object, k, ${bucket("date_part('epoch', at)")} AS b, (sum(sum) / sum(n))::float8 AS v, min(min) AS lo, max(max) AS hi
          FROM parts
         GROUP BY 1, 2, 3) g
 GROUP BY 1, 2
 ORDER BY 1, 2`;
}

/**
 * Counters of `n` fields (1-8): per object, field and bucket, [b, rate per second, count of
 * resets]. Each sample is paired with the previous one of its object (a look-back of
 * `gap` seconds before the samples' range finds the first pair); a pair further apart is a gap,
 * not a rate. A pair whose value went down (stats reset, restart, failover to a server with
 * other counters) is not counted: the bucket's rate comes from its other pairs, or is NULL (a
 * gap), never negative; resets counts such pairs. rate = sum(increase) / sum(seconds) over
 * the pairs that end in the bucket.
 */
export function rateSql(n: number): string {
  return `
WITH ${LIMIT_CTE},
s AS MATERIALIZED (
  SELECT object, collected_at, date_part('epoch', collected_at) AS e, ${fieldArray(n)} AS xs
    FROM ${samples('lim.r - make_interval(secs => lim.gap)')}
), p AS (
  SELECT object, e, xs, lag(xs) OVER w AS pxs, e - lag(e) OVER w AS dt
    FROM s
  WINDOW w AS (PARTITION BY object ORDER BY collected_at)
), parts AS (
  SELECT m.object, f.k, date_part('epoch', m.bucket) AS e, m.inc, m.inc_s, m.resets
    FROM pemhistory.rollup m JOIN unnest($6::text[]) WITH ORDINALITY AS f(field, k) ON f.field = m.field
   WHERE ${ROLLUP_RANGE}
  UNION ALL
  SELECT p.object, u.k, p.e, CASE WHEN u.d >= 0 THEN u.d ELSE 0 END, CASE WHEN u.d >= 0 THEN p.dt ELSE 0 END,
         CASE WHEN u.d < 0 THEN 1 ELSE 0 END
    FROM p CROSS JOIN LATERAL (SELECT z.k, z.x - z.px AS d FROM unnest(p.xs, p.pxs) WITH ORDINALITY AS z(x, px, k)) u
   WHERE p.e >= date_part('epoch', (SELECT r FROM lim)) AND p.dt > 0 AND p.dt <= (SELECT gap FROM lim)
     AND u.d IS NOT NULL
)
SELECT object, k::int AS k, json_agg(json_build_array(b, v, resets) ORDER BY b) AS pts
  FROM (SELECT object, k, ${bucket('e')} AS b, sum(inc) / nullif(sum(inc_s), 0) AS v, sum(resets)::int AS resets
          FROM parts
         GROUP BY 1, 2, 3) g
 GROUP BY 1, 2
 ORDER BY 1, 2`;
}
