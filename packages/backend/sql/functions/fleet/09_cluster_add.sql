-- Adds a monitored Patroni cluster on behalf of p_actor (docs/monitoring-
-- a-server.md "Patroni clusters"): p_name, the REST API base URLs of its
-- members p_rest_endpoints (the follower asks them in turn), the CA file
-- on the follower's host p_rest_cafile (https endpoints), the agent that
-- follows it p_agent_id, how its members are monitored p_member_defaults
-- ({user, sslmode, sslrootcert, maintenanceDb}), tags, notes, and how long a
-- member may be absent before its server goes (p_member_grace_s).
-- p_cluster is the cluster's GET /cluster answer as the follower read it
-- when it was asked (the `patroni-cluster` agent task: {scope, members}):
-- every member becomes a server of the cluster (pem.cluster_member_sync),
-- and the answer is recorded as the first observation. From then on the
-- follower reconciles the members every probe interval
-- (pem.agent_cluster_observed). Returns the cluster's id.
-- Errors (nothing is written): those of pem.check_cluster; 22023
-- (restEndpoints) for an answer without members; a member that cannot be
-- added (its host:port already monitored, a name taken) names the member,
-- field restEndpoints.
CREATE OR REPLACE FUNCTION pem.cluster_add(p_actor name, p_name text, p_rest_endpoints text[], p_rest_cafile text,
                                           p_agent_id integer, p_member_defaults jsonb, p_tags text[], p_notes text,
                                           p_member_grace_s integer, p_cluster jsonb)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_id integer;
  m jsonb;
  v_leader text;
BEGIN
  LOCK TABLE pem.server IN SHARE ROW EXCLUSIVE MODE;
  LOCK TABLE pem.monitored_cluster IN SHARE ROW EXCLUSIVE MODE;
  PERFORM pem.check_cluster(p_name, p_rest_endpoints, p_rest_cafile, p_agent_id, p_member_defaults, p_tags,
                            p_member_grace_s);
  IF length(coalesce(p_notes, '')) > 2000 THEN
    RAISE EXCEPTION 'notes: at most 2000 characters' USING ERRCODE = '22023', COLUMN = 'notes';
  END IF;
  IF jsonb_typeof(p_cluster->'members') IS DISTINCT FROM 'array' OR jsonb_array_length(p_cluster->'members') = 0 THEN
    RAISE EXCEPTION 'restEndpoints: the cluster''s GET /cluster answered no members' USING ERRCODE = '22023',
      COLUMN = 'restEndpoints';
  END IF;
  SELECT e->>'name' INTO v_leader FROM jsonb_array_elements(p_cluster->'members') e
   WHERE e->>'role' IN ('leader', 'standby_leader', 'master', 'primary') LIMIT 1;
  INSERT INTO pem.monitored_cluster (name, scope, rest_endpoints, rest_cafile, agent_id, member_defaults, tags,
                                     created_by, notes, member_grace_s, observed_at, observed_from, leader, timeline,
                                     members_observed)
  VALUES (p_name, p_cluster->>'scope', p_rest_endpoints, p_rest_cafile, p_agent_id, p_member_defaults,
          coalesce(p_tags, '{}'), p_actor, coalesce(p_notes, ''), p_member_grace_s, now(), p_cluster->>'endpoint',
          v_leader, (SELECT (e->>'timeline')::integer FROM jsonb_array_elements(p_cluster->'members') e
                      WHERE e->>'name' = v_leader AND jsonb_typeof(e->'timeline') = 'number'),
          p_cluster->'members')
  RETURNING id INTO v_id;
  -- the follower reads the clusters it follows at commit (else within its short wait)
  PERFORM pg_notify('pharos_agent_' || p_agent_id, 'bindings');
  FOR m IN SELECT e FROM jsonb_array_elements(p_cluster->'members') e LOOP
    BEGIN
      PERFORM pem.cluster_member_sync(v_id, m, p_actor);
    EXCEPTION WHEN SQLSTATE '22023' OR SQLSTATE '23505' OR SQLSTATE 'P0002' THEN
      DECLARE
        v_msg text;
        v_state text;
      BEGIN
        GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_state = RETURNED_SQLSTATE;
        RAISE EXCEPTION 'restEndpoints: member % (%:%) of cluster % cannot be monitored: %', m->>'name',
          coalesce(m->>'host', '?'), coalesce(m->>'port', '?'), p_name, v_msg
          USING ERRCODE = v_state, COLUMN = 'restEndpoints';
      END;
    END;
  END LOOP;
  RETURN v_id;
END $$;
