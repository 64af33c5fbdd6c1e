-- Rewrites every overview row (pem.overview_refresh for every agent and every server) and recounts
-- the raised alerts of every server and agent from pem.alert (pemdata.server_alert_count,
-- pemdata.agent_alert_count, which pem.overview_alert_changed keeps afterwards; migration 022), e.g.
-- after an upgrade that changed how they are made: catalogue/overview.sql calls it whenever the
-- definitions are applied. Returns the number of agents and servers rewritten.
CREATE OR REPLACE FUNCTION pem.overview_rebuild() RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a integer;
  n integer := 0;
BEGIN
  FOR a IN SELECT id FROM pem.agent ORDER BY id LOOP
    PERFORM pem.overview_refresh(a, ARRAY[0]);
    n := n + 1;
  END LOOP;
  PERFORM pem.overview_refresh(NULL, ARRAY(SELECT id FROM pem.server ORDER BY id));
  -- The counts from a pem.alert no one writes meanwhile (writers wait until this transaction ends).
  LOCK TABLE pem.alert IN SHARE MODE;
  DELETE FROM pemdata.server_alert_count;
  INSERT INTO pemdata.server_alert_count (server_id, high, medium, low)
  SELECT al.server_id, count(*) FILTER (WHERE al.state = 'high'), count(*) FILTER (WHERE al.state = 'medium'),
         count(*) FILTER (WHERE al.state = 'low')
    FROM pem.alert al WHERE al.enabled AND al.state <> 'none' AND al.server_id IS NOT NULL GROUP BY 1 ORDER BY 1;
  DELETE FROM pemdata.agent_alert_count;
  INSERT INTO pemdata.agent_alert_count (agent_id, high, medium, low)
  SELECT al.agent_id, count(*) FILTER (WHERE al.state = 'high'), count(*) FILTER (WHERE al.state = 'medium'),
         count(*) FILTER (WHERE al.state = 'low')
    FROM pem.alert al WHERE al.enabled AND al.state <> 'none' AND al.server_id IS NULL GROUP BY 1 ORDER BY 1;
  RETURN n + (SELECT count(*) FROM pem.server)::integer;
END $$;
