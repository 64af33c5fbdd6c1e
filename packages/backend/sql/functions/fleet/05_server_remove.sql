-- Removes monitored server p_id on behalf of p_actor (pem.server_delete:
-- its binding, alerts and state; its history until retention unless
-- p_purge_history). A member of a monitored Patroni cluster is followed
-- from its cluster's GET /cluster and would come back at the next look: it
-- goes with its cluster (pem.cluster_remove), or by itself when it leaves
-- the cluster. Returns what was removed (pem.server_delete).
-- Errors: P0002 (column id) when there is no such server (a second removal);
-- 55000 for a node of the PEM backend or a member of a monitored cluster.
CREATE OR REPLACE FUNCTION pem.server_remove(p_actor name, p_id integer, p_purge_history boolean)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s pem.server;
  v_cluster text;
BEGIN
  SELECT * INTO s FROM pem.server WHERE id = p_id;
  IF FOUND AND s.cluster_id IS NOT NULL THEN
    SELECT name INTO v_cluster FROM pem.monitored_cluster WHERE id = s.cluster_id;
    RAISE EXCEPTION 'server % (%) is member % of the monitored Patroni cluster %: it is followed from the cluster (remove the cluster, or the member from the cluster)',
      p_id, s.display_name, s.patroni_member, v_cluster USING ERRCODE = '55000', COLUMN = 'id';
  END IF;
  RETURN pem.server_delete(p_actor, p_id, p_purge_history);
END $$;
