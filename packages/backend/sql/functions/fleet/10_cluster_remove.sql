-- Removes monitored Patroni cluster p_id on behalf of p_actor, and every
-- server of it (pem.server_delete: bindings, alerts and state; their
-- history until retention unless p_purge_history). The agents stop
-- monitoring them, and the follower stops following, within one short
-- wait. Returns {"cluster": name, "servers": [what pem.server_delete
-- answered for each]}.
-- Errors: P0002 (column id) when there is no such cluster (a second removal).
CREATE OR REPLACE FUNCTION pem.cluster_remove(p_actor name, p_id integer, p_purge_history boolean)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c pem.monitored_cluster;
  v_servers jsonb := '[]';
  v_sid integer;
BEGIN
  SELECT * INTO c FROM pem.monitored_cluster WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no cluster % (already removed?)', p_id USING ERRCODE = 'P0002', COLUMN = 'id';
  END IF;
  FOR v_sid IN SELECT id FROM pem.server WHERE cluster_id = p_id ORDER BY id LOOP
    v_servers := v_servers || jsonb_build_array(pem.server_delete(p_actor, v_sid, p_purge_history)
                                                || jsonb_build_object('id', v_sid));
  END LOOP;
  DELETE FROM pem.monitored_cluster WHERE id = p_id;
  RETURN jsonb_build_object('cluster', c.name, 'servers', v_servers, 'removedBy', p_actor);
END $$;
