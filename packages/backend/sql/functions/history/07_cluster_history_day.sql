-- Rewrites the history partition of day p_day (a day already over) in the
-- order of its (server_id, probe, collected_at) index, so that a chart over
-- that day reads a server's samples from a few contiguous pages instead of
-- one page per sample (agents' batches interleave all servers' rows).
-- CLUSTER takes an ACCESS EXCLUSIVE lock on that one partition while it
-- runs; late samples for that day wait for it. Meant for the partition
-- upkeep job on the primary (issue 6), once per closed day. Returns false
-- when the day has no partition of its own. Errors: 22023 for today or later.
CREATE OR REPLACE FUNCTION pem.cluster_history_day(p_day date)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  part regclass := to_regclass('pemhistory.sample_' || to_char(p_day, 'YYYYMMDD'));
  idx regclass;
BEGIN
  IF p_day >= current_date THEN
    RAISE EXCEPTION 'the history of % is still being written', p_day USING ERRCODE = '22023';
  END IF;
  IF part IS NULL THEN
    RETURN false;
  END IF;
  SELECT i.indexrelid::regclass INTO idx
    FROM pg_index i
   WHERE i.indrelid = part AND pg_get_indexdef(i.indexrelid) LIKE '%USING btree (server_id, probe, collected_at)'
   LIMIT 1;
  IF idx IS NULL THEN
    RAISE EXCEPTION 'partition % has no (server_id, probe, collected_at) index', part;
  END IF;
  EXECUTE format('CLUSTER %s USING %I', part, (SELECT relname FROM pg_class WHERE oid = idx));
  EXECUTE format('ANALYZE %s', part);
  RETURN true;
END $$;
