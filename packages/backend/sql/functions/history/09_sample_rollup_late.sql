-- Records late samples for the rollup (migrations/006_rollup.sql explains the marks): the rows an
-- INSERT into pemhistory.sample adds below claimed_through, of the probes rolled up, as (server,
-- probe, minute) in pemhistory.rollup_dirty, for pem.rollup_history to recompute. Holds the
-- shared advisory lock 7301006 until the inserting transaction ends (the claim takes it
-- exclusively), so no sample is missed.
CREATE OR REPLACE FUNCTION pem.sample_rollup_late()
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

DROP TRIGGER IF EXISTS sample_rollup_late ON pemhistory.sample;
CREATE TRIGGER sample_rollup_late AFTER INSERT ON pemhistory.sample
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pem.sample_rollup_late();
