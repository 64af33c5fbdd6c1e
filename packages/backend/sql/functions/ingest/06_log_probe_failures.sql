-- Appends probe failures of agent p_agent_id: p_failures = [{server_id,
-- probe, object, failed_at, error, code}]; rows without probe or failed_at
-- are skipped. Failures for a server other than 0 (the agent's host) and the
-- servers bound to it, or stamped after pem.ingest_future_limit(), are
-- dropped and said (pem.log_ingest_refusal): the agent's queue is not
-- retried for them. Returns the rows added. Errors: 42501 when the caller is
-- not the agent's registered database user.
CREATE OR REPLACE FUNCTION pem.log_probe_failures(p_agent_id integer, p_failures jsonb)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_limit timestamptz := pem.ingest_future_limit();
  n integer;
  v_unbound integer;
  v_servers integer[];
  v_future integer;
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = p_agent_id AND active AND user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not log probe failures for agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  WITH f AS (
    SELECT coalesce(x.server_id, 0) AS server_id, x.probe, x.object, x.failed_at, x.error, x.code,
           CASE WHEN coalesce(x.server_id, 0) NOT IN (SELECT pem.agent_writable_servers(p_agent_id)) THEN 'unbound'
                WHEN x.failed_at > v_limit THEN 'future'
           END AS refused
      FROM jsonb_to_recordset(p_failures) AS x(server_id integer, probe text, object text, failed_at timestamptz,
                                              error text, code text)
     WHERE x.probe IS NOT NULL AND x.failed_at IS NOT NULL
  ), ins AS (
    INSERT INTO pem.probe_log (agent_id, server_id, probe, object, failed_at, error, code)
    SELECT p_agent_id, f.server_id, left(f.probe, 200), left(coalesce(f.object, ''), 1000), f.failed_at,
           left(coalesce(f.error, ''), 2000), left(f.code, 20)
      FROM f
     WHERE f.refused IS NULL
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM ins), count(*) FILTER (WHERE f.refused = 'unbound'),
         array_agg(DISTINCT f.server_id ORDER BY f.server_id) FILTER (WHERE f.refused = 'unbound'),
         count(*) FILTER (WHERE f.refused = 'future')
    INTO n, v_unbound, v_servers, v_future
    FROM f;
  IF v_unbound + v_future > 0 THEN
    PERFORM pem.log_ingest_refusal(p_agent_id, format('%s probe failures', jsonb_array_length(p_failures)),
                                   v_unbound, v_servers, v_future, 0);
  END IF;
  RETURN n;
END $$;
