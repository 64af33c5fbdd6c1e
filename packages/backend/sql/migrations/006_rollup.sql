-- Pharos backend schema, version 6: rollups for long-range charts, and an index for the
-- overview's alert counts (issue 7, web API latency targets).
-- Applied once, in one transaction, by packages/server/src/migrations/run.ts.
--
-- A 7-day chart of a 10-s probe reads about 60 000 samples per object from pemhistory.sample.
-- pemhistory.rollup keeps, for the fields the charts draw (pem.rollup_field), per server,
-- probe, object, field and bucket of 60, 300 or 3600 seconds, partial aggregates:
--   n, sum, min, max      of the field's numeric values (pem.jsonb_float8) in the bucket;
--   inc, inc_s, resets    of the pairs of consecutive samples of the object (in time order,
--                         the earlier one may lie in an earlier bucket) that END in the
--                         bucket and are 0 < dt <= max_gap_s apart: inc = sum of the
--                         non-negative increases, inc_s = the seconds of those pairs,
--                         resets = pairs whose value went down.
-- Every figure adds up across buckets, so a chart bucket that is a multiple of the width is
-- exactly what the samples give (packages/web/src/api/series-sql.ts): gauges avg = sum / n,
-- counters rate = inc / inc_s (NULL when inc_s = 0).
--
-- Maintenance: pem.rollup_history(), the job 'history_rollup' (pem.run_due_jobs, called by the
-- agents every minute; primary only). State (pemhistory.rollup_state):
--   rolled_through  R: the rollup holds every sample below R; readers take samples from R on.
--   claimed_through W >= R: the range [R, W) the next run rolls up.
-- One run: rolls [R, W) into the 60-s tier and adds it to the 300-s and 3600-s tiers (R := W);
-- recomputes the (server, probe) ranges that received late samples; claims
-- [W, min(W + chunk, now - 2 min)). A sample inserted below W is late: the statement trigger
-- pemhistory.sample_rollup_late records its (server, probe, minute) in pemhistory.rollup_dirty.
-- No sample is missed: the trigger holds a shared advisory lock (key 7301006) until its
-- transaction ends, the claim takes it exclusively, so an insert either committed before the
-- claim (and the next run sees it) or reads the new W (and is recorded as late).
--
-- Changing pem.rollup_field applies to samples rolled from then on; to rebuild older buckets,
-- empty pemhistory.rollup and set both marks of pemhistory.rollup_state to NULL (the job then
-- starts again from the oldest history; charts read samples meanwhile).

-- ---- what is rolled up -----------------------------------------------------

-- The (probe, field) pairs the server analysis charts draw (packages/web/ui/chart-catalog.js).
CREATE TABLE pem.rollup_field (
  probe text NOT NULL,
  field text NOT NULL,
  PRIMARY KEY (probe, field)
);
INSERT INTO pem.rollup_field (probe, field) VALUES
  ('database_stats', 'xact_commit'), ('database_stats', 'xact_rollback'),
  ('database_stats', 'blks_hit'), ('database_stats', 'blks_read'),
  ('connections_by_state', 'connections'),
  ('checkpointer', 'num_timed'), ('checkpointer', 'num_requested'), ('checkpointer', 'buffers_written'),
  ('bgwriter', 'buffers_clean'), ('bgwriter', 'buffers_backend'),
  ('wal', 'position_bytes'),
  ('replication_lag', 'lag_bytes'), ('replication_lag', 'replay_lag_s'),
  ('locks', 'locks'),
  ('blocked_sessions', 'blocked'), ('blocked_sessions', 'blocking'),
  ('database_size', 'size_bytes');

-- A jsonb value as float8: numbers, numeric strings (bigints beyond 2^53 travel as strings),
-- booleans as 1/0; NULL otherwise. The series API reads samples with the same function.
-- (No SET clause, so the planner inlines it.)
CREATE FUNCTION pem.jsonb_float8(p_value jsonb)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE pg_catalog.jsonb_typeof(p_value)
           WHEN 'number' THEN p_value::double precision
           WHEN 'string' THEN CASE WHEN (p_value #>> '{}') OPERATOR(pg_catalog.~) '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$'
                                   THEN (p_value #>> '{}')::double precision END
           WHEN 'boolean' THEN CASE WHEN p_value OPERATOR(pg_catalog.=) 'true'::jsonb THEN 1::double precision
                                    ELSE 0::double precision END
         END
$$;

-- ---- tables ------------------------------------------------------------------

CREATE TABLE pemhistory.rollup (
  server_id  integer NOT NULL,
  probe      text NOT NULL,
  width_s    integer NOT NULL CHECK (width_s IN (60, 300, 3600)),
  field      text NOT NULL,
  -- start of the bucket, a multiple of width_s since the epoch
  bucket     timestamptz NOT NULL,
  object     text NOT NULL,
  n          integer NOT NULL CHECK (n > 0),
  sum        double precision NOT NULL,
  min        double precision NOT NULL,
  max        double precision NOT NULL,
  inc        double precision NOT NULL DEFAULT 0,
  inc_s      double precision NOT NULL DEFAULT 0,
  resets     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (server_id, probe, width_s, field, bucket, object)
);
-- Retention and the job's range deletes; rows are appended in time order.
CREATE INDEX rollup_bucket_brin ON pemhistory.rollup USING brin (bucket) WITH (autosummarize = on);
-- The job reads the samples of the last minutes of every server: a block range index fits
-- history appended in time order (summarized as ranges fill, so the newest stay cheap).
CREATE INDEX sample_collected_at_brin ON pemhistory.sample USING brin (collected_at) WITH (autosummarize = on);

CREATE TABLE pemhistory.rollup_state (
  only_row        boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  rolled_through  timestamptz,
  claimed_through timestamptz,
  -- pairs of samples further apart than this are a gap, not a rate (seconds)
  max_gap_s       integer NOT NULL DEFAULT 900 CHECK (max_gap_s > 0),
  CHECK (rolled_through <= claimed_through)
);
INSERT INTO pemhistory.rollup_state DEFAULT VALUES;

-- Late samples waiting for pem.rollup_history (a queue: no key, so an insert never waits).
CREATE TABLE pemhistory.rollup_dirty (
  server_id integer NOT NULL,
  probe     text NOT NULL,
  minute    timestamptz NOT NULL
);

-- ---- late samples ----------------------------------------------------------------

CREATE FUNCTION pem.sample_rollup_late()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  w timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(7301006);
  SELECT claimed_through INTO w FROM pemhistory.rollup_state;
  IF w IS NOT NULL THEN
    INSERT INTO pemhistory.rollup_dirty (server_id, probe, minute)
    SELECT DISTINCT n.server_id, n.probe, date_trunc('minute', n.collected_at)
      FROM new_rows n
     WHERE n.collected_at < w AND n.probe IN (SELECT f.probe FROM pem.rollup_field f);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER sample_rollup_late AFTER INSERT ON pemhistory.sample
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pem.sample_rollup_late();

-- ---- rolling up ------------------------------------------------------------------

-- Replaces the 60-s rows of [p_from, p_to) (whole minutes) with the samples' figures, for one
-- (server, probe) or, with NULLs, for all. Returns the rows written.
CREATE FUNCTION pem.rollup_minutes(p_from timestamptz, p_to timestamptz, p_server_id integer, p_probe text)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
  v_gap integer := (SELECT max_gap_s FROM pemhistory.rollup_state);
  n bigint;
BEGIN
  DELETE FROM pemhistory.rollup r
   WHERE r.width_s = 60 AND r.bucket >= p_from AND r.bucket < p_to
     AND (p_server_id IS NULL OR r.server_id = p_server_id) AND (p_probe IS NULL OR r.probe = p_probe);
  INSERT INTO pemhistory.rollup (server_id, probe, width_s, field, bucket, object, n, sum, min, max, inc, inc_s, resets)
  SELECT s.server_id, s.probe, 60, f.field, date_trunc('minute', s.collected_at), s.object,
         count(v.x), sum(v.x), min(v.x), max(v.x),
         coalesce(sum(v.x - v.px) FILTER (WHERE v.x >= v.px AND s.dt > 0 AND s.dt <= v_gap), 0),
         coalesce(sum(s.dt) FILTER (WHERE v.x >= v.px AND s.dt > 0 AND s.dt <= v_gap), 0),
         count(*) FILTER (WHERE v.x < v.px AND s.dt > 0 AND s.dt <= v_gap)
    FROM (SELECT h.server_id, h.probe, h.object, h.collected_at, h.value, lag(h.value) OVER w AS prev_value,
                 date_part('epoch', h.collected_at) - lag(date_part('epoch', h.collected_at)) OVER w AS dt
            FROM pemhistory.sample h
           WHERE h.collected_at >= p_from - make_interval(secs => v_gap) AND h.collected_at < p_to
             AND (p_server_id IS NULL OR h.server_id = p_server_id) AND (p_probe IS NULL OR h.probe = p_probe)
             AND h.probe IN (SELECT probe FROM pem.rollup_field)
          WINDOW w AS (PARTITION BY h.server_id, h.probe, h.object ORDER BY h.collected_at)) s
    JOIN pem.rollup_field f ON f.probe = s.probe
    CROSS JOIN LATERAL (SELECT pem.jsonb_float8(s.value -> f.field) AS x,
                               pem.jsonb_float8(s.prev_value -> f.field) AS px) v
   WHERE s.collected_at >= p_from AND v.x IS NOT NULL
   GROUP BY s.server_id, s.probe, f.field, date_trunc('minute', s.collected_at), s.object;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- Replaces the rows of the 300-s and 3600-s tiers whose bucket overlaps [p_from, p_to), for
-- one (server, probe), with the sums of the 60-s rows below p_below. Returns the rows written.
CREATE FUNCTION pem.rollup_recompute_wide(p_from timestamptz, p_to timestamptz, p_below timestamptz,
                                          p_server_id integer, p_probe text)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
  w integer;
  lo timestamptz;
  hi timestamptz;
  n bigint;
  total bigint := 0;
BEGIN
  FOREACH w IN ARRAY ARRAY[300, 3600] LOOP
    lo := to_timestamp(floor(date_part('epoch', p_from) / w) * w);
    hi := to_timestamp(ceil(date_part('epoch', p_to) / w) * w);
    DELETE FROM pemhistory.rollup r
     WHERE r.server_id = p_server_id AND r.probe = p_probe AND r.width_s = w AND r.bucket >= lo AND r.bucket < hi;
    INSERT INTO pemhistory.rollup (server_id, probe, width_s, field, bucket, object, n, sum, min, max, inc, inc_s, resets)
    SELECT m.server_id, m.probe, w, m.field, to_timestamp(floor(date_part('epoch', m.bucket) / w) * w), m.object,
           sum(m.n), sum(m.sum), min(m.min), max(m.max), sum(m.inc), sum(m.inc_s), sum(m.resets)
      FROM pemhistory.rollup m
     WHERE m.server_id = p_server_id AND m.probe = p_probe AND m.width_s = 60
       AND m.bucket >= lo AND m.bucket < least(hi, p_below)
     GROUP BY 1, 2, 4, 5, 6;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
  END LOOP;
  RETURN total;
END $$;

-- Oldest collection time in pemhistory.sample (the default partition, else the oldest daily
-- partition with rows), or NULL when there is no history. Reads one partition at most.
CREATE FUNCTION pem.history_oldest()
RETURNS timestamptz LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  part text;
  v timestamptz;
  d timestamptz := (SELECT min(collected_at) FROM pemhistory.sample_default);
BEGIN
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'pemhistory.sample'::regclass AND c.relname ~ '^sample_[0-9]{8}$'
     ORDER BY c.relname
  LOOP
    EXECUTE format('SELECT min(collected_at) FROM pemhistory.%I', part) INTO v;
    EXIT WHEN v IS NOT NULL;
  END LOOP;
  RETURN least(d, v);
END $$;

-- One maintenance run (see the top of this file): rolls the claimed range, recomputes the
-- ranges with late samples (from their minute to max_gap_s after, for the pairs they end or
-- start), claims the next range of at most p_chunk. Returns {rolled_through, claimed_through,
-- rows, late_ranges, caught_up}; caught_up = rolled through the last minute but two (the run
-- of every minute keeps it so). Runs one at a time
-- (row lock on the state); the claim waits for inserts in progress (lock_timeout applies).
CREATE FUNCTION pem.rollup_history(p_chunk interval DEFAULT interval '1 hour')
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
  st pemhistory.rollup_state;
  v_end timestamptz := date_trunc('minute', now() - interval '2 minutes');
  v_rows bigint := 0;
  v_late integer := 0;
  v_ranges jsonb;
  d record;
  hi timestamptz;
BEGIN
  SELECT * INTO st FROM pemhistory.rollup_state FOR UPDATE;
  IF st.claimed_through IS NULL THEN
    st.rolled_through := least(date_trunc('hour', pem.history_oldest()), v_end);
    st.claimed_through := st.rolled_through;
  END IF;
  IF st.claimed_through > st.rolled_through THEN
    v_rows := pem.rollup_minutes(st.rolled_through, st.claimed_through, NULL, NULL);
    -- the wider tiers: add the new minutes (their buckets may have earlier minutes already)
    INSERT INTO pemhistory.rollup AS r (server_id, probe, width_s, field, bucket, object, n, sum, min, max, inc, inc_s, resets)
    SELECT m.server_id, m.probe, w.width_s, m.field, to_timestamp(floor(date_part('epoch', m.bucket) / w.width_s) * w.width_s),
           m.object, sum(m.n), sum(m.sum), min(m.min), max(m.max), sum(m.inc), sum(m.inc_s), sum(m.resets)
      FROM pemhistory.rollup m CROSS JOIN (VALUES (300), (3600)) AS w(width_s)
     WHERE m.width_s = 60 AND m.bucket >= st.rolled_through AND m.bucket < st.claimed_through
     GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (server_id, probe, width_s, field, bucket, object) DO UPDATE
      SET n = r.n + excluded.n, sum = r.sum + excluded.sum, min = least(r.min, excluded.min),
          max = greatest(r.max, excluded.max), inc = r.inc + excluded.inc, inc_s = r.inc_s + excluded.inc_s,
          resets = r.resets + excluded.resets;
    st.rolled_through := st.claimed_through;
  END IF;
  -- what this statement's snapshot sees is taken off the queue; later marks wait for the next run
  WITH done AS (DELETE FROM pemhistory.rollup_dirty RETURNING server_id, probe, minute)
  SELECT coalesce(jsonb_agg(x), '[]') INTO v_ranges
    FROM (SELECT server_id, probe, min(minute) AS lo, max(minute) AS hi FROM done GROUP BY 1, 2) x;
  FOR d IN SELECT * FROM jsonb_to_recordset(v_ranges) AS x(server_id integer, probe text, lo timestamptz, hi timestamptz)
  LOOP
    hi := least(d.hi + make_interval(secs => st.max_gap_s + 60), st.rolled_through);
    CONTINUE WHEN hi <= d.lo;
    v_rows := v_rows + pem.rollup_minutes(d.lo, hi, d.server_id, d.probe)
                     + pem.rollup_recompute_wide(d.lo, hi, st.rolled_through, d.server_id, d.probe);
    v_late := v_late + 1;
  END LOOP;
  PERFORM pg_advisory_xact_lock(7301006);
  st.claimed_through := greatest(st.rolled_through, least(st.rolled_through + p_chunk, v_end));
  UPDATE pemhistory.rollup_state SET rolled_through = st.rolled_through, claimed_through = st.claimed_through;
  RETURN jsonb_build_object('rolled_through', st.rolled_through, 'claimed_through', st.claimed_through,
                            'rows', v_rows, 'late_ranges', v_late,
                            'caught_up', st.rolled_through >= v_end - interval '1 minute');
END $$;

-- Retention of the rollup, as pem.expire_history's for the samples: rows older than the longest
-- retention, and per probe older than its own. Returns the rows deleted.
CREATE FUNCTION pem.expire_rollup()
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_max integer;
  r record;
  n bigint;
  total bigint := 0;
BEGIN
  SELECT coalesce(max(retention_days), 90) INTO v_max FROM pem.probe;
  DELETE FROM pemhistory.rollup WHERE bucket < now() - make_interval(days => v_max);
  GET DIAGNOSTICS total = ROW_COUNT;
  FOR r IN SELECT name, retention_days FROM pem.probe WHERE retention_days < v_max LOOP
    DELETE FROM pemhistory.rollup WHERE probe = r.name AND bucket < now() - make_interval(days => r.retention_days);
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
  END LOOP;
  RETURN total;
END $$;

-- ---- jobs ----------------------------------------------------------------------------

INSERT INTO pem.job (name, interval_s) VALUES ('history_rollup', 30) ON CONFLICT (name) DO NOTHING;

-- As in version 4, plus the job 'history_rollup' (pem.rollup_history), and the retention job
-- also expires the rollup (its detail gains 'rollup_rows_deleted').
CREATE OR REPLACE FUNCTION pem.run_due_jobs(p_force boolean DEFAULT false)
RETURNS TABLE (job text, status text, detail text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET lock_timeout = '5s' AS $$
DECLARE
  r record;
  v_detail text;
BEGIN
  IF pg_is_in_recovery() THEN
    RETURN QUERY SELECT 'all'::text, 'skipped'::text, 'standby: jobs run on the primary only'::text;
    RETURN;
  END IF;
  IF NOT pg_try_advisory_xact_lock(7301004) THEN
    RETURN QUERY SELECT 'all'::text, 'skipped'::text, 'another caller is running the jobs'::text;
    RETURN;
  END IF;
  FOR r IN
    SELECT j.name FROM pem.job j
     WHERE j.name IN ('history_partitions', 'history_retention', 'history_rollup')
       AND (p_force OR j.last_run_at IS NULL OR j.last_run_at + make_interval(secs => j.interval_s) <= now())
     ORDER BY j.name
  LOOP
    BEGIN
      IF r.name = 'history_partitions' THEN
        v_detail := pem.ensure_history_partitions(7)::text || ' partitions created';
      ELSIF r.name = 'history_retention' THEN
        v_detail := (pem.expire_history() || jsonb_build_object('rollup_rows_deleted', pem.expire_rollup()))::text;
      ELSE
        v_detail := pem.rollup_history()::text;
      END IF;
      UPDATE pem.job SET last_run_at = now(), last_status = 'ok', last_error = NULL WHERE name = r.name;
      job := r.name; status := 'ok'; detail := v_detail;
      RETURN NEXT;
    EXCEPTION WHEN OTHERS THEN
      UPDATE pem.job SET last_run_at = now(), last_status = 'failed', last_error = SQLERRM WHERE name = r.name;
      job := r.name; status := 'failed'; detail := SQLERRM;
      RETURN NEXT;
    END;
  END LOOP;
END $$;

-- ---- the overview's alert counts ----------------------------------------------------

-- GET /api/fleet counts the alerts that are raised: few among many (one per template and object).
CREATE INDEX alert_raised_idx ON pem.alert (state) WHERE enabled AND state <> 'none';

-- ---- privileges ----------------------------------------------------------------------

REVOKE ALL ON FUNCTION pem.rollup_minutes(timestamptz, timestamptz, integer, text),
  pem.rollup_recompute_wide(timestamptz, timestamptz, timestamptz, integer, text), pem.history_oldest(),
  pem.rollup_history(interval), pem.expire_rollup() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pem.rollup_history(interval) TO pem_admin;
GRANT SELECT ON pem.rollup_field TO pem_user, pem_admin, pem_web;
GRANT SELECT ON pemhistory.rollup, pemhistory.rollup_state TO pem_user, pem_admin, pem_web;
