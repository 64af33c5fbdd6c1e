-- Tells agents at once that what they monitor or follow changed: NOTIFY
-- pharos_agent_<id> 'bindings' (the channel their tasks use; the agent
-- LISTENs on it, backend-link/tasks.ts) for the agent of a server binding
-- that is added, changed or removed (server add, set, remove, a cluster's
-- member added or gone, configure), and for the agent that follows a
-- monitored cluster that is added, removed or handed to another agent. The
-- agent then reads its bindings and clusters without waiting for its short
-- wait (which still reads them: a notification sent while the agent was not
-- listening is not lost for long). Delivered when the transaction commits.
CREATE OR REPLACE FUNCTION pem.fleet_change_notify() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_old integer;
  v_new integer;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    v_old := OLD.agent_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    v_new := NEW.agent_id;
  END IF;
  IF v_new IS NOT NULL THEN
    PERFORM pg_notify('pharos_agent_' || v_new, 'bindings');
  END IF;
  IF v_old IS NOT NULL AND v_old IS DISTINCT FROM v_new THEN
    PERFORM pg_notify('pharos_agent_' || v_old, 'bindings');
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS server_binding_notify ON pem.server_binding;
CREATE TRIGGER server_binding_notify AFTER INSERT OR UPDATE OR DELETE ON pem.server_binding
  FOR EACH ROW EXECUTE FUNCTION pem.fleet_change_notify();
DROP TRIGGER IF EXISTS monitored_cluster_notify ON pem.monitored_cluster;
CREATE TRIGGER monitored_cluster_notify AFTER INSERT OR DELETE OR UPDATE OF agent_id, rest_endpoints, rest_cafile
  ON pem.monitored_cluster FOR EACH ROW EXECUTE FUNCTION pem.fleet_change_notify();
