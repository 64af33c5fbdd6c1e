-- The occurrence of maintenance window w that covers p_at, or else its next
-- one: (starts_at, ends_at), or no row when the window has no occurrence
-- ending after p_at (over, stopped). A window covers p_at when the row's
-- starts_at <= p_at (ends_at > p_at always holds).
--
-- - 'once': [starts_at, ends_at), cut at stopped_at.
-- - 'weekly': for each local date in time_zone whose ISO weekday is in
--   weekdays, [date + start_time in time_zone, + duration_s). The start is
--   local wall-clock time, so it stays at the same local time across DST
--   changes; the length is elapsed time. A start time that does not exist
--   on a spring-forward day (02:30 in Europe/Paris) gets the UTC offset in
--   force before the change, i.e. 03:30 local; one that exists twice on a
--   fall-back day gets the offset in force after it (the second 02:30):
--   PostgreSQL's rule for timestamp AT TIME ZONE (documentation, Appendix B.1
--   "Handling of Invalid or Ambiguous Timestamps"). Only occurrences ending
--   after starts_at and starting before ends_at (the recurrence's bounds)
--   and before stopped_at count; the first is cut to start at starts_at,
--   the last to end at stopped_at. Occurrences that overlap (a duration
--   longer than the gap between two weekdays) give the earlier one.
CREATE OR REPLACE FUNCTION pem.maintenance_occurrence(w pem.maintenance_window, p_at timestamptz,
                                                      OUT starts_at timestamptz, OUT ends_at timestamptz)
RETURNS SETOF record LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_stop timestamptz := coalesce(w.stopped_at, 'infinity');
  v_until timestamptz := least(coalesce(w.ends_at, 'infinity'), v_stop);
  v_local date;
  v_day date;
  v_start timestamptz;
  v_end timestamptz;
BEGIN
  IF w.schedule = 'once' THEN
    IF w.starts_at < v_stop AND least(w.ends_at, v_stop) > p_at THEN
      starts_at := w.starts_at;
      ends_at := least(w.ends_at, v_stop);
      RETURN NEXT;
    END IF;
    RETURN;
  END IF;
  v_local := (greatest(p_at, w.starts_at) AT TIME ZONE w.time_zone)::date;
  -- from the days whose occurrence may still run at p_at, a week ahead
  FOR v_day IN SELECT d::date FROM generate_series(v_local - (w.duration_s / 86400 + 1), v_local + 7, interval '1 day') d
  LOOP
    CONTINUE WHEN NOT extract(isodow FROM v_day)::smallint = ANY (w.weekdays);
    v_start := (v_day + w.start_time) AT TIME ZONE w.time_zone;
    v_end := v_start + make_interval(secs => w.duration_s);
    EXIT WHEN v_start >= v_until;
    CONTINUE WHEN v_end <= p_at OR v_end <= w.starts_at;
    starts_at := greatest(v_start, w.starts_at);
    ends_at := least(v_end, v_stop);
    RETURN NEXT;
    RETURN;
  END LOOP;
  RETURN;
END $$;
