-- Which of the given batch ids the backend already stores for agent p_agent_id (pem.ship_batch),
-- in one round trip. An agent that finds itself on another backend server after a failover or a
-- restart asks this about the acknowledged batches it retains (packages/agent/src/ship/shipper.ts),
-- then ships again only the ones the new primary lacks (asynchronous replication can lose the last
-- commits of the old primary) instead of every retained batch one transaction at a time (issue 19,
-- the ship gap). Returns the subset of p_batch_ids recorded for this agent (NULLs and unknown ids
-- are left out; an empty or NULL array gives an empty array). Only the caller's own batches: the
-- agent must be active and the caller its registered database user (the certificate's CN), so an
-- agent learns nothing about other agents' batches (security review, M1). SECURITY DEFINER so
-- pem_agent needs no privilege on pem.ship_batch; STABLE, it writes nothing. Errors: 42501 when
-- the agent is not registered or not active, or the caller is not its database user; the errors of
-- pem.agent_certificate_in_force (a revoked certificate). pem.ship_batch rows are kept 7 days
-- (pem.expire_ship_batches), far longer than an agent retains acknowledged batches (5 min).
CREATE OR REPLACE FUNCTION pem.agent_stored_batches(p_agent_id integer, p_batch_ids uuid[])
RETURNS uuid[] LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pem.check_agent_caller(p_agent_id, 'read the batches of');  -- certificate, active agent, own user
  RETURN ARRAY(SELECT b.batch_id FROM pem.ship_batch b
                WHERE b.agent_id = p_agent_id AND b.batch_id = ANY (coalesce(p_batch_ids, '{}'))
                ORDER BY b.first_sample_id);
END $$;
