-- An alert was added, removed, or changed state, enabled or object: the raised-alert counts of its
-- server or agent (pemdata.server_alert_count, pemdata.agent_alert_count; migration 022) change by
-- -1 for what it counted as before (enabled, state low, medium or high) and +1 for what it counts as
-- now, in the transaction that changed it. Increments of the row, so concurrent changes of one
-- server's alerts add up (each upsert waits for the row and adds to what is committed); a count
-- never needs reading pem.alert again. The row of a server or agent being deleted is not
-- recreated (the cascade deletes its alerts after it: the SELECT finds no owner). Every writer of
-- pem.alert (evaluation, the web's administration, tests, tools) keeps the counts true;
-- pem.overview_rebuild recounts them from pem.alert (a count is never taken below 0). Row triggers: an update that changes none of
-- these columns (most evaluations) does not call it.
CREATE OR REPLACE FUNCTION pem.overview_alert_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT x.agent_id, x.server_id, x.state, x.n
      FROM (SELECT OLD.agent_id, OLD.server_id, OLD.state, -1 AS n
             WHERE TG_OP <> 'INSERT' AND OLD.enabled AND OLD.state <> 'none'
            UNION ALL
            SELECT NEW.agent_id, NEW.server_id, NEW.state, 1
             WHERE TG_OP <> 'DELETE' AND NEW.enabled AND NEW.state <> 'none') x
  LOOP
    IF r.server_id IS NOT NULL THEN
      INSERT INTO pemdata.server_alert_count AS c (server_id, high, medium, low)
      SELECT s.id, greatest(0, (r.state = 'high')::int * r.n), greatest(0, (r.state = 'medium')::int * r.n),
             greatest(0, (r.state = 'low')::int * r.n)
        FROM pem.server s WHERE s.id = r.server_id
      ON CONFLICT (server_id) DO UPDATE
        SET high = greatest(0, c.high + (r.state = 'high')::int * r.n), medium = greatest(0, c.medium + (r.state = 'medium')::int * r.n),
            low = greatest(0, c.low + (r.state = 'low')::int * r.n);
    ELSE
      INSERT INTO pemdata.agent_alert_count AS c (agent_id, high, medium, low)
      SELECT a.id, greatest(0, (r.state = 'high')::int * r.n), greatest(0, (r.state = 'medium')::int * r.n),
             greatest(0, (r.state = 'low')::int * r.n)
        FROM pem.agent a WHERE a.id = r.agent_id
      ON CONFLICT (agent_id) DO UPDATE
        SET high = greatest(0, c.high + (r.state = 'high')::int * r.n), medium = greatest(0, c.medium + (r.state = 'medium')::int * r.n),
            low = greatest(0, c.low + (r.state = 'low')::int * r.n);
    END IF;
  END LOOP;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS overview_alert_inserted ON pem.alert;
CREATE TRIGGER overview_alert_inserted AFTER INSERT ON pem.alert
  FOR EACH ROW WHEN (NEW.enabled AND NEW.state <> 'none') EXECUTE FUNCTION pem.overview_alert_changed();
DROP TRIGGER IF EXISTS overview_alert_deleted ON pem.alert;
CREATE TRIGGER overview_alert_deleted AFTER DELETE ON pem.alert
  FOR EACH ROW WHEN (OLD.enabled AND OLD.state <> 'none') EXECUTE FUNCTION pem.overview_alert_changed();
DROP TRIGGER IF EXISTS overview_alert_updated ON pem.alert;
CREATE TRIGGER overview_alert_updated AFTER UPDATE OF state, enabled, agent_id, server_id ON pem.alert
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.enabled IS DISTINCT FROM NEW.enabled
                     OR OLD.agent_id IS DISTINCT FROM NEW.agent_id OR OLD.server_id IS DISTINCT FROM NEW.server_id)
  EXECUTE FUNCTION pem.overview_alert_changed();
