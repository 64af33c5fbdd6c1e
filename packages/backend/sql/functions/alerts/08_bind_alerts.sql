-- Binds the auto_bind templates named in p_templates (NULL = every auto_bind template): those of
-- the agent level to agent p_agent_id (NULL = every agent) when p_agents, those of the server and
-- database levels to server p_server_id (NULL = every server) when p_servers. Existing bindings
-- are kept. Thresholds, operator and interval are copied from the template; the first evaluation
-- is spread over one interval. Returns the number of alerts created.
CREATE OR REPLACE FUNCTION pem.bind_alerts(p_templates text[], p_agent_id integer, p_server_id integer,
                                           p_agents boolean, p_servers boolean)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n integer := 0;
  m integer;
BEGIN
  IF p_agents THEN
    INSERT INTO pem.alert (template, agent_id, server_id, object, operator, low, medium, high, interval_s,
                           is_default, next_due)
    SELECT t.name, a.id, NULL, '', t.operator, t.low, t.medium, t.high, t.interval_s, true,
           now() + random() * make_interval(secs => t.interval_s)
      FROM pem.alert_template t CROSS JOIN pem.agent a
     WHERE t.auto_bind AND t.level = 'agent' AND (p_templates IS NULL OR t.name = ANY (p_templates))
       AND (p_agent_id IS NULL OR a.id = p_agent_id)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS m = ROW_COUNT;
    n := n + m;
  END IF;
  IF p_servers THEN
    INSERT INTO pem.alert (template, agent_id, server_id, object, operator, low, medium, high, interval_s,
                           is_default, next_due)
    SELECT t.name, NULL, s.id, '', t.operator, t.low, t.medium, t.high, t.interval_s, true,
           now() + random() * make_interval(secs => t.interval_s)
      FROM pem.alert_template t CROSS JOIN pem.server s
     WHERE t.auto_bind AND t.level IN ('server', 'database') AND (p_templates IS NULL OR t.name = ANY (p_templates))
       AND (p_server_id IS NULL OR s.id = p_server_id)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS m = ROW_COUNT;
    n := n + m;
  END IF;
  RETURN n;
END $$;
