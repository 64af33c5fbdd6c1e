/**
 * The SQL of downsampled series over pemhistory.sample (001_initial.sql: one
 * row per sample, `value` the probe's row as jsonb, index on
 * (server_id, probe, collected_at) in every daily partition).
 *
 * Parameters: $1 server id, $2 probe, $3 from, $4 to (timestamptz), $5
 * bucket width in seconds, $6 field names (text[]), $7 object filter (text,
 * NULL = every object), $8 (rates only) the longest gap between two samples
 * that still makes a rate, seconds. Each statement reads the index range once,
 * turns each sample's fields into float8 columns at once (the jsonb is
 * dropped before any sort, so sorts stay small and in memory) and returns one
 * row per (object, bucket) with data, the fields' figures as arrays in the
 * order of $6; `b` is the bucket's start in seconds since the epoch.
 */

/** A jsonb value as float8: numbers, numeric strings (bigints beyond 2^53), booleans as 1/0; NULL otherwise. */
function num(j: string): string {
  return `CASE jsonb_typeof(${j})
      WHEN 'number' THEN (${j})::float8
      WHEN 'string' THEN CASE WHEN (${j} #>> '{}') ~ '^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$'
                              THEN (${j} #>> '{}')::float8 END
      WHEN 'boolean' THEN CASE WHEN ${j} = 'true'::jsonb THEN 1::float8 ELSE 0::float8 END
    END`;
}

const cols = (n: number, f: (k: number) => string) =>
  Array.from({ length: n }, (_, i) => f(i + 1)).join(', ');

/** x1, ..., xn: the fields as float8 columns. */
const fieldColumns = (n: number) => cols(n, (k) => `${num(`value -> ($6::text[])[${k}]`)} AS x${k}`);

/** Bucket start of an epoch (float8 seconds), in float8 arithmetic (numeric would be slower). */
const bucket = (epoch: string) => `floor(${epoch} / $5::float8) * $5::float8`;

const RANGE = `server_id = $1 AND probe = $2 AND collected_at < $4 AND ($7::text IS NULL OR object = $7)`;

/** Gauges of `n` fields (1-8): per object and bucket, arrays of the fields' average, minimum and maximum. */
export function gaugeSql(n: number): string {
  return `
SELECT object, ${bucket("date_part('epoch', collected_at)")} AS b,
       ARRAY[${cols(n, (k) => `avg(x${k})`)}] AS avg,
       ARRAY[${cols(n, (k) => `min(x${k})`)}] AS min,
       ARRAY[${cols(n, (k) => `max(x${k})`)}] AS max
  FROM (SELECT object, collected_at, ${fieldColumns(n)}
          FROM pemhistory.sample
         WHERE ${RANGE} AND collected_at >= $3) s
 GROUP BY 1, 2
 ORDER BY 1, 2`;
}

/**
 * Counters of `n` fields (1-8): per object and bucket, the array of the
 * fields' rates per second and the array of resets. Each sample is paired
 * with the previous one of its object (a look-back of $8 seconds before
 * `from` finds the first pair); a pair further apart than $8 seconds is a
 * gap, not a rate. The increase of a pair whose value went down (stats reset,
 * restart, failover to a server with other counters) is not counted: the
 * bucket's rate comes from its other pairs, or is NULL (a gap), never
 * negative; `resets` counts such pairs. rate = sum(increase) / sum(seconds)
 * over the pairs that end in the bucket.
 */
export function rateSql(n: number): string {
  return `
WITH s AS MATERIALIZED (
  SELECT object, collected_at, date_part('epoch', collected_at) AS e, ${fieldColumns(n)}
    FROM pemhistory.sample
   WHERE ${RANGE} AND collected_at >= $3::timestamptz - make_interval(secs => $8)
), p AS (
  SELECT object, e, e - lag(e) OVER w AS dt, ${cols(n, (k) => `x${k} - lag(x${k}) OVER w AS d${k}`)}
    FROM s
  WINDOW w AS (PARTITION BY object ORDER BY collected_at)
)
SELECT object, ${bucket('e')} AS b,
       ARRAY[${cols(n, (k) => `sum(d${k}) FILTER (WHERE d${k} >= 0) / nullif(sum(dt) FILTER (WHERE d${k} >= 0), 0)`)}] AS rate,
       ARRAY[${cols(n, (k) => `count(*) FILTER (WHERE d${k} < 0)`)}]::int[] AS resets
  FROM p
 WHERE e >= date_part('epoch', $3::timestamptz) AND dt > 0 AND dt <= $8
 GROUP BY 1, 2
 ORDER BY 1, 2`;
}
