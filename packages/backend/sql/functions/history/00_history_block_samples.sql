-- The samples kept in the compacted history (pemhistory.sample_block / field_block, migration
-- 019, written by pem.compact_history_day), decoded back into the rows pemhistory.sample had:
-- (agent_id, sample_id, server_id, probe, object, collected_at, value) with collected_at in
-- [p_from, p_to), of server p_server_id and probe p_probe (NULL: every server / probe). value
-- is the sample's jsonb as stored (the same text), limited to the fields p_fields when given
-- (NULL: every field; a sample with none of them has '{}'), and to the sources p_sources
-- (pemhistory.source ids; NULL: all). Numbers of scale -1 come back
-- through float8's output, exact with PostgreSQL's default extra_float_digits (1; PostgreSQL
-- docs §20.11.2); the compaction checks that round trip. Only the places of a block whose time
-- is in [p_from, p_to) are decoded (the times are in place order: lo..hi, found from the time
-- deltas alone); the values there are the sums of the deltas before lo (one aggregate over the
-- array's prefix) plus the running sums over lo..hi (the same figures as one running sum from
-- the start, to the bit: each partial sum is a stored value, an integer below 2^53 that float8
-- holds exactly, migration 019's scales), so a chart of the last 15 minutes of a
-- compacted day builds the jsonb of those samples only, not of the day's 8,640. Readers use
-- pem.history_samples, which adds the hot rows. LANGUAGE sql without SET so that the planner inlines it into the caller
-- (PostgreSQL wiki "Inlining of SQL functions"): the filters reach the indexes; every name is
-- schema-qualified.
CREATE OR REPLACE FUNCTION pem.history_block_samples(p_server_id integer, p_probe text, p_from timestamptz,
                                                     p_to timestamptz, p_fields text[] DEFAULT NULL,
                                                     p_sources integer[] DEFAULT NULL)
RETURNS TABLE (agent_id integer, sample_id bigint, server_id integer, probe text, object text,
               collected_at timestamptz, value jsonb)
LANGUAGE sql STABLE AS $$
  SELECT s.agent_id, d.sid, s.server_id, s.probe, s.object, d.at,
         coalesce(b.other[d.i], d.fields, '{}'::jsonb)
    FROM pemhistory.source s
    JOIN pemhistory.sample_block b ON b.source_id = s.id
    -- the places lo..hi of the block's samples in [p_from, p_to) (times are in place order), and
    -- the sums of the time and sample_id deltas before lo
    CROSS JOIN LATERAL (
      SELECT pg_catalog.min(p.i) AS lo, pg_catalog.max(p.i) AS hi, pg_catalog.min(p.us - p.dt) AS t0
        FROM (SELECT u.i, u.dt, sum(u.dt) OVER (ORDER BY u.i) AS us
                FROM pg_catalog.unnest(b.t) WITH ORDINALITY AS u(dt, i)) p
       WHERE b.block_start + p.us * interval '1 microsecond' >= p_from
         AND b.block_start + p.us * interval '1 microsecond' < p_to) r
    CROSS JOIN LATERAL (SELECT coalesce(pg_catalog.sum(z), 0) AS s0 FROM pg_catalog.unnest(b.sid[1:r.lo - 1]) AS z) r0
    -- one pass over those places and the fields' values there, grouped by place
    CROSS JOIN LATERAL (
      SELECT y.i, max(y.at) AS at, max(y.sid) AS sid,
             pg_catalog.jsonb_object_agg(y.field, y.val) FILTER (WHERE y.field IS NOT NULL) AS fields
        FROM (SELECT r.lo - 1 + u.o AS i, b.block_start + (r.t0 + sum(u.dt) OVER w) * interval '1 microsecond' AS at,
                     (r0.s0 + sum(u.ds) OVER w)::bigint AS sid,
                     NULL::text AS field, NULL::jsonb AS val
                FROM ROWS FROM (pg_catalog.unnest(b.t[r.lo:r.hi]), pg_catalog.unnest(b.sid[r.lo:r.hi])) WITH ORDINALITY AS u(dt, ds, o)
              WINDOW w AS (ORDER BY u.o)
              UNION ALL
              SELECT r.lo - 1 + u.o, NULL, NULL, f.field,
                     CASE WHEN f.v IS NULL THEN u.jv
                          WHEN f.scale = 0 THEN pg_catalog.to_jsonb((c.base + sum(u.x) OVER w)::bigint)
                          WHEN f.scale = 3
                            THEN pg_catalog.to_jsonb(pg_catalog.trim_scale((c.base + sum(u.x) OVER w)::bigint::numeric / 1000))
                          ELSE pg_catalog.to_jsonb(u.x) END
                FROM pemhistory.field_block f
                CROSS JOIN LATERAL (SELECT coalesce(pg_catalog.sum(z), 0) AS base
                                      FROM pg_catalog.unnest(CASE WHEN f.scale IN (0, 3) THEN f.v[1:r.lo - 1] END) AS z) c
                CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(f.v[r.lo:r.hi]), pg_catalog.unnest(f.j[r.lo:r.hi]))
                  WITH ORDINALITY AS u(x, jv, o)
               WHERE f.source_id = b.source_id AND f.block_start = b.block_start
                 AND (p_fields IS NULL OR f.field = ANY (p_fields))
                 AND (u.x IS NOT NULL OR u.jv IS NOT NULL)
              WINDOW w AS (PARTITION BY f.field ORDER BY u.o)) y
       GROUP BY y.i) d
   WHERE (p_server_id IS NULL OR s.server_id = p_server_id) AND (p_probe IS NULL OR s.probe = p_probe)
     AND (p_sources IS NULL OR s.id = ANY (p_sources))
     AND b.block_start > p_from - interval '1 day' AND b.block_start < p_to
     AND r.lo IS NOT NULL
$$;
