-- Binds the default alerts of a newly registered agent or server (pem.bind_default_alerts): the
-- triggers below fire after every INSERT into pem.agent and pem.server.
CREATE OR REPLACE FUNCTION pem.alert_bind_on_register() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'agent' THEN
    PERFORM pem.bind_default_alerts(NEW.id, NULL, true, false);
  ELSE
    PERFORM pem.bind_default_alerts(NULL, NEW.id, false, true);
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS agent_default_alerts ON pem.agent;
CREATE TRIGGER agent_default_alerts AFTER INSERT ON pem.agent
  FOR EACH ROW EXECUTE FUNCTION pem.alert_bind_on_register();
DROP TRIGGER IF EXISTS server_default_alerts ON pem.server;
CREATE TRIGGER server_default_alerts AFTER INSERT ON pem.server
  FOR EACH ROW EXECUTE FUNCTION pem.alert_bind_on_register();
