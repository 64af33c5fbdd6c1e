-- A server's binding changed (added, moved to another agent, removed): pemdata.server_latest now
-- chooses other rows for it, so its overview row is rewritten (pem.overview_refresh).
CREATE OR REPLACE FUNCTION pem.overview_binding_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pem.overview_refresh(NULL, ARRAY[OLD.server_id]);
  ELSIF TG_OP = 'UPDATE' AND OLD.server_id <> NEW.server_id THEN
    PERFORM pem.overview_refresh(NULL, ARRAY[OLD.server_id, NEW.server_id]);
  ELSIF TG_OP = 'INSERT' OR OLD.agent_id IS DISTINCT FROM NEW.agent_id THEN
    PERFORM pem.overview_refresh(NULL, ARRAY[NEW.server_id]);
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS overview_binding_changed ON pem.server_binding;
CREATE TRIGGER overview_binding_changed AFTER INSERT OR UPDATE OR DELETE ON pem.server_binding
  FOR EACH ROW EXECUTE FUNCTION pem.overview_binding_changed();
