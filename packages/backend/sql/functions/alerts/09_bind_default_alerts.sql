-- Binds every auto_bind template of the agent level to agent p_agent_id (NULL = every agent), and of
-- the server and database levels to server p_server_id (NULL = every server), as pem.bind_alerts
-- does. Called when agents and servers register (pem.alert_bind_on_register) and by administrators.
-- Returns the number of alerts created.
CREATE OR REPLACE FUNCTION pem.bind_default_alerts(p_agent_id integer DEFAULT NULL, p_server_id integer DEFAULT NULL,
                                                   p_agents boolean DEFAULT true, p_servers boolean DEFAULT true)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN pem.bind_alerts(NULL, p_agent_id, p_server_id, p_agents, p_servers);
END $$;
