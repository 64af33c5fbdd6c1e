-- pem.ship_batch retention. A row records one stored batch so that a retried
-- batch is recognised (pem.ingest_batch). An agent retries only its one
-- pending batch (packages/agent/src/spool/spool.ts: the next batch is cut
-- only after the pending one is acknowledged), so the newest row of each
-- agent is the only one a retry can ever match; older rows are kept for
-- p_keep (an audit trail: which samples came in which batch, when) and then
-- deleted. Returns the number of rows deleted.
CREATE OR REPLACE FUNCTION pem.expire_ship_batches(p_keep interval DEFAULT interval '7 days')
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n bigint;
BEGIN
  DELETE FROM pem.ship_batch b
   USING (SELECT agent_id, max(last_sample_id) AS newest FROM pem.ship_batch GROUP BY agent_id) a
   WHERE b.agent_id = a.agent_id AND b.last_sample_id < a.newest AND b.received_at < now() - p_keep;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
