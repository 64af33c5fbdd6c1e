-- Tells every active agent that the probe definitions changed (a custom probe added, changed or
-- removed; an interval or enablement set): NOTIFY pharos_agent_<id> 'bindings' at commit, on which
-- an agent re-reads its bindings, probe settings and custom probes at once (agent
-- backend-link/tasks.ts) instead of on its next short wait, so a new custom probe runs within one
-- interval. Statement-level: one notification per agent per statement (PostgreSQL folds identical
-- notifications of a transaction into one).
CREATE OR REPLACE FUNCTION pem.probe_change_notify()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pg_notify('pharos_agent_' || a.id, 'bindings') FROM pem.agent a WHERE a.active;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS probe_change_notify ON pem.probe;
CREATE TRIGGER probe_change_notify AFTER INSERT OR UPDATE OR DELETE ON pem.probe
  FOR EACH STATEMENT EXECUTE FUNCTION pem.probe_change_notify();
