-- Rows of pemdata.latest were written or deleted: the overview rows (pem.overview_refresh) of the
-- agents (host values, server 0) and servers whose overview probes changed are rewritten, in the
-- same transaction. Statement-level, over the statement's transition table `changed` (the new
-- rows of an INSERT or UPDATE, the old rows of a DELETE): pem.ingest_batch's upsert of one batch
-- fires it once for its inserted and once for its updated rows (PostgreSQL allows a transition
-- table on one event per trigger), a server removal, an agent unregistration or an expiry
-- (pem.expire_history) once; a statement that touched no overview probe rewrites nothing.
-- So every writer of pemdata.latest (ingest, tests, tools) keeps the overview true.
CREATE OR REPLACE FUNCTION pem.overview_latest_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT g.agent_id, array_agg(DISTINCT g.server_id ORDER BY g.server_id) AS servers
      FROM (SELECT CASE WHEN d.server_id = 0 THEN d.agent_id END AS agent_id, d.server_id
              FROM changed d
             WHERE d.probe IN ('cpu', 'load_avg', 'memory', 'server_up', 'server_info',
                               'connections_by_state', 'database_stats', 'replication_lag')) g
     GROUP BY g.agent_id ORDER BY g.agent_id NULLS FIRST
  LOOP
    PERFORM pem.overview_refresh(r.agent_id, r.servers);
  END LOOP;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS overview_latest_inserted ON pemdata.latest;
CREATE TRIGGER overview_latest_inserted AFTER INSERT ON pemdata.latest
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION pem.overview_latest_changed();
DROP TRIGGER IF EXISTS overview_latest_updated ON pemdata.latest;
CREATE TRIGGER overview_latest_updated AFTER UPDATE ON pemdata.latest
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION pem.overview_latest_changed();
DROP TRIGGER IF EXISTS overview_latest_deleted ON pemdata.latest;
CREATE TRIGGER overview_latest_deleted AFTER DELETE ON pemdata.latest
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION pem.overview_latest_changed();
