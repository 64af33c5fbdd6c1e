-- One maintenance run of the rollup (migrations/006_rollup.sql describes it): rolls the claimed range, recomputes the
-- ranges with late samples (from their minute to max_gap_s after, for the pairs they end or
-- start), claims the next range of at most p_chunk. Returns {rolled_through, claimed_through,
-- rows, late_ranges, caught_up}; caught_up = rolled through the last minute but two (the run
-- of every minute keeps it so). Runs one at a time
-- (row lock on the state); the claim waits for inserts in progress (lock_timeout applies).
CREATE OR REPLACE FUNCTION pem.rollup_history(p_chunk interval DEFAULT interval '1 hour')
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
