-- Says that agent p_agent_id sent data it may not store, which was dropped: p_unbound items named a
-- server not bound to it (p_servers: which), p_future were stamped after pem.ingest_future_limit(),
-- p_malformed lacked a key field. p_what names what was sent ('batch <id> (120 samples)'). A WARNING
-- every time (the server log, and the agent's connection), and a row in pem.probe_log (server 0, the
-- agent's host; probe 'ingest'; code 42501 for an unbound server, 22008 for a time in the future,
-- 22004 for a missing field) at most once a minute per agent, so that an agent whose clock runs
-- ahead does not flood the probe log; the exact counts are in pem.ship_batch. Returns the message.
CREATE OR REPLACE FUNCTION pem.log_ingest_refusal(p_agent_id integer, p_what text, p_unbound integer,
                                                  p_servers integer[], p_future integer, p_malformed integer)
RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_msg text;
BEGIN
  v_msg := format('refused from %s: %s', p_what, concat_ws('; ',
    CASE WHEN p_unbound > 0 THEN format('%s for servers not bound to agent %s (%s)', p_unbound, p_agent_id,
                                        array_to_string(p_servers, ', ')) END,
    CASE WHEN p_future > 0 THEN format('%s stamped more than %s s ahead of the backend''s clock (is the agent''s clock right?)',
                                       p_future, round(extract(epoch FROM pem.ingest_future_limit() - now()))) END,
    CASE WHEN p_malformed > 0 THEN format('%s without a sample id, server, probe, object, time or value', p_malformed) END));
  RAISE WARNING '%', v_msg;
  IF NOT EXISTS (SELECT 1 FROM pem.probe_log l
                  WHERE l.server_id = 0 AND l.agent_id = p_agent_id AND l.probe = 'ingest'
                    AND l.failed_at > now() - interval '1 minute') THEN
    INSERT INTO pem.probe_log (agent_id, server_id, probe, object, failed_at, error, code)
    VALUES (p_agent_id, 0, 'ingest', '', now(), left(v_msg, 2000),
            CASE WHEN p_unbound > 0 THEN '42501' WHEN p_future > 0 THEN '22008' ELSE '22004' END);
  END IF;
  RETURN v_msg;
END $$;
