-- Ingest of one batch, the samples given as arrays (element k of each array is sample k), in one
-- statement: the agent ships with `SELECT pem.ingest_samples(...)` alone, one round trip and one
-- implicit transaction (packages/agent/src/ship/ship-batch.ts); pem.ingest_batch(agent, batch)
-- passes the rows of pg_temp.incoming_sample here. Checks that the caller's database user is the
-- agent's (certificate CN), records the batch in pem.ship_batch (a retried batch returns false and
-- stores nothing), appends history and moves pemdata.latest forward. Samples of history_mode
-- 'changes' probes go to pemhistory only when they differ from the previous sample of their object
-- (in the batch, else pemdata.latest), when they are the first of their UTC day, or when they are
-- older than it; pemdata.latest records the previous sample of each object it moves past.
-- Samples the agent may not store are dropped: for a server other than its own host (0) and the
-- servers bound to it (pem.agent_writable_servers), stamped after pem.ingest_future_limit(), or
-- lacking a key field (arrays of unequal length: the missing elements are NULL, so those samples
-- lack a field). The batch is still recorded, so it is acknowledged once and never retried (a retry
-- could not make them acceptable); the drop is counted in pem.ship_batch.refused_count and said in
-- refused_reason, a WARNING and the probe log (pem.log_ingest_refusal). SECURITY DEFINER so
-- pem_agent needs no table privileges. Returns true when the batch was recorded now, false when it
-- was a repeat. Errors: 42501 when the agent is not registered or not active, or the caller is not
-- its database user.
--
-- Cost (issue 19, "Ingest"; docs/benchmarks.md "Ingest"): one sort of the batch (every window uses
-- the same one, in byte order); pemdata.latest is read only for the first sample of each object in
-- the batch (the others take the previous sample from the batch) and written only for the newest;
-- the writable servers and the probes of history_mode 'changes' are read once, not joined per sample.
CREATE OR REPLACE FUNCTION pem.ingest_samples(p_agent_id integer, p_batch_id uuid, p_sample_id bigint[],
                                              p_server_id integer[], p_probe text[], p_object text[],
                                              p_collected_at timestamptz[], p_value jsonb[])
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_first bigint;
  v_last bigint;
  v_count integer;
  v_stored integer;
  v_limit timestamptz := pem.ingest_future_limit();
  v_writable integer[];
  v_changes text[];
  v_unbound integer;
  v_servers integer[];
  v_future integer;
  v_malformed integer;
BEGIN
  PERFORM pem.check_agent_caller(p_agent_id, 'ship for');  -- certificate, active agent, own user
  v_count := greatest(coalesce(cardinality(p_sample_id), 0), coalesce(cardinality(p_server_id), 0),
                      coalesce(cardinality(p_probe), 0), coalesce(cardinality(p_object), 0),
                      coalesce(cardinality(p_collected_at), 0), coalesce(cardinality(p_value), 0));
  SELECT min(x), max(x) INTO v_first, v_last FROM unnest(p_sample_id) AS x;
  INSERT INTO pem.ship_batch (agent_id, batch_id, first_sample_id, last_sample_id, sample_count)
  VALUES (p_agent_id, p_batch_id, coalesce(v_first, 0), coalesce(v_last, 0), v_count)
  ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  v_writable := ARRAY(SELECT pem.agent_writable_servers(p_agent_id));
  v_changes := ARRAY(SELECT p.name FROM pem.probe p WHERE p.history_mode = 'changes');
  WITH c AS (
    SELECT i.*,
           CASE WHEN i.sample_id IS NULL OR i.server_id IS NULL OR i.probe IS NULL OR i.object IS NULL
                     OR i.collected_at IS NULL OR i.value IS NULL THEN 'malformed'
                WHEN NOT i.server_id = ANY (v_writable) THEN 'unbound'
                WHEN i.collected_at > v_limit THEN 'future'
           END AS refused
      FROM unnest(p_sample_id, p_server_id, p_probe, p_object, p_collected_at, p_value)
           AS i(sample_id, server_id, probe, object, collected_at, value)
  ), inc AS (
    -- one ordering for every window: lag = the previous sample of the object in the batch, newest =
    -- no later one (the sample pemdata.latest takes)
    SELECT i.sample_id, i.server_id, i.probe, i.object, i.collected_at, i.value,
           lag(i.value) OVER w AS batch_prev_value, lag(i.collected_at) OVER w AS batch_prev_at,
           row_number() OVER w AS rn, lead(1) OVER w IS NULL AS newest
      FROM c i
     WHERE i.refused IS NULL
    -- in byte order (COLLATE "C"): the same groups as the database's collation, compared faster
    WINDOW w AS (PARTITION BY i.server_id, i.probe COLLATE "C", i.object COLLATE "C" ORDER BY i.collected_at, i.sample_id)
  ), j AS (
    SELECT inc.*,
           CASE WHEN inc.rn = 1 THEN l.value ELSE inc.batch_prev_value END AS prev_value,
           CASE WHEN inc.rn = 1 THEN l.collected_at ELSE inc.batch_prev_at END AS prev_at,
           CASE WHEN inc.probe = ANY (v_changes) THEN 'changes' ELSE 'all' END AS history_mode
      FROM inc
      -- only the first sample of an object reads pemdata.latest (a one-time filter on inc.rn;
      -- LIMIT keeps the subquery from being flattened into a join that probes for every sample)
      LEFT JOIN LATERAL (
        SELECT l.value, l.collected_at FROM pemdata.latest l
         WHERE inc.rn = 1 AND l.agent_id = p_agent_id AND l.server_id = inc.server_id
           AND l.probe = inc.probe AND l.object = inc.object
         LIMIT 1
      ) l ON true
  ), h AS (
    INSERT INTO pemhistory.sample (agent_id, sample_id, server_id, probe, object, collected_at, value)
    SELECT p_agent_id, j.sample_id, j.server_id, j.probe, j.object, j.collected_at, j.value
      FROM j
     WHERE j.history_mode <> 'changes' OR j.prev_value IS NULL OR j.prev_at IS NULL
        OR j.value IS DISTINCT FROM j.prev_value OR j.collected_at < j.prev_at
        OR (j.collected_at AT TIME ZONE 'UTC')::date <> (j.prev_at AT TIME ZONE 'UTC')::date
    RETURNING 1
  ), u AS (
    INSERT INTO pemdata.latest AS l (agent_id, server_id, probe, object, sample_id, collected_at, value,
                                     prev_value, prev_collected_at)
    SELECT p_agent_id, j.server_id, j.probe, j.object, j.sample_id, j.collected_at, j.value, j.prev_value, j.prev_at
      FROM j WHERE j.newest
    ON CONFLICT (agent_id, server_id, probe, object) DO UPDATE
      SET sample_id = excluded.sample_id, collected_at = excluded.collected_at, value = excluded.value,
          prev_value = excluded.prev_value, prev_collected_at = excluded.prev_collected_at
      WHERE l.collected_at <= excluded.collected_at
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM h), count(*) FILTER (WHERE c.refused = 'unbound'),
         array_agg(DISTINCT c.server_id ORDER BY c.server_id) FILTER (WHERE c.refused = 'unbound'),
         count(*) FILTER (WHERE c.refused = 'future'), count(*) FILTER (WHERE c.refused = 'malformed')
    INTO v_stored, v_unbound, v_servers, v_future, v_malformed
    FROM c;
  UPDATE pem.ship_batch
     SET stored_count = v_stored, refused_count = v_unbound + v_future + v_malformed,
         refused_reason = CASE WHEN v_unbound + v_future + v_malformed > 0
                               THEN pem.log_ingest_refusal(p_agent_id, format('batch %s (%s samples)', p_batch_id, v_count),
                                                           v_unbound, v_servers, v_future, v_malformed) END
   WHERE agent_id = p_agent_id AND batch_id = p_batch_id;
  UPDATE pem.agent SET last_heartbeat = now() WHERE id = p_agent_id;
  RETURN true;
END $$;
