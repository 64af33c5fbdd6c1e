-- What agent p_agent_id saw of monitored Patroni cluster p_cluster_id, which
-- it follows: p_answer is the cluster's GET /cluster answer (Patroni
-- documentation, "REST API": `members`, each with name, role, state, host,
-- port, api_url, timeline, lag; `scope` when Patroni sends it) read from
-- REST endpoint p_endpoint; or, when no endpoint answered, p_error says why
-- (recorded, nothing else changes). Called by the following agent every
-- probe interval.
--
-- Records the observation on the cluster (when, from where, the leader, its
-- timeline, the members), then reconciles the cluster's servers with the
-- members (pem.cluster_member_sync: new members added, role, state, REST API
-- and address followed). A member the answer lacks is marked missing, and
-- removed with its server (pem.server_delete) once it has been missing for
-- the cluster's member_grace_s. A member that cannot be added is listed in
-- member_problems (and by pharos check) instead of stopping the others. An
-- answer for another scope than the one the cluster was added with is
-- recorded as an error and changes nothing.
-- Returns {"added": [names], "moved": [...], "updated": [...], "missing":
-- [...], "removed": [...], "problems": [...], "error": text}.
-- Errors: 42501 when the caller is not that agent, or the agent does not
-- follow the cluster.
CREATE OR REPLACE FUNCTION pem.agent_cluster_observed(p_agent_id integer, p_cluster_id integer, p_answer jsonb,
                                                      p_endpoint text, p_error text)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c pem.monitored_cluster;
  v_actor name;
  v_members jsonb;
  v_names text[];
  v_scope text;
  v_leader text;
  m jsonb;
  v_done text;
  v_out jsonb := jsonb_build_object('added', '[]'::jsonb, 'moved', '[]'::jsonb, 'updated', '[]'::jsonb,
                                    'missing', '[]'::jsonb, 'removed', '[]'::jsonb, 'problems', '[]'::jsonb);
  v_problems text[] := '{}';
  s record;
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  SELECT a.user_name INTO v_actor FROM pem.agent a WHERE a.id = p_agent_id AND a.user_name = session_user;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'agent_cluster_observed: the caller is not agent %', p_agent_id USING ERRCODE = '42501';
  END IF;
  SELECT * INTO c FROM pem.monitored_cluster WHERE id = p_cluster_id AND agent_id = p_agent_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'agent % does not follow cluster %', p_agent_id, p_cluster_id USING ERRCODE = '42501';
  END IF;
  v_members := p_answer->'members';
  v_scope := p_answer->>'scope';
  IF p_error IS NULL AND jsonb_typeof(v_members) IS DISTINCT FROM 'array' THEN
    p_error := 'the GET /cluster answer of ' || coalesce(p_endpoint, '?') || ' has no members list';
  END IF;
  IF p_error IS NULL AND c.scope IS NOT NULL AND v_scope IS NOT NULL AND v_scope <> c.scope THEN
    p_error := coalesce(p_endpoint, '?') || ' answered for Patroni scope ' || v_scope || ', not ' || c.scope
               || ' (the scope the cluster was added with): another cluster now answers there';
  END IF;
  IF p_error IS NOT NULL THEN
    UPDATE pem.monitored_cluster SET observed_error = left(p_error, 2000), observed_error_at = now()
     WHERE id = c.id;
    RETURN v_out || jsonb_build_object('error', left(p_error, 2000));
  END IF;
  SELECT e->>'name' INTO v_leader FROM jsonb_array_elements(v_members) e
   WHERE e->>'role' IN ('leader', 'standby_leader', 'master', 'primary') LIMIT 1;
  v_names := ARRAY(SELECT e->>'name' FROM jsonb_array_elements(v_members) e WHERE e->>'name' IS NOT NULL);
  -- new members are checked against every server (a host:port already monitored): no concurrent add meanwhile
  IF EXISTS (SELECT 1 FROM unnest(v_names) n
              WHERE NOT EXISTS (SELECT 1 FROM pem.server x WHERE x.cluster_id = c.id AND x.patroni_member = n)) THEN
    LOCK TABLE pem.server IN SHARE ROW EXCLUSIVE MODE;
  END IF;
  FOR m IN SELECT e FROM jsonb_array_elements(v_members) e LOOP
    BEGIN
      v_done := pem.cluster_member_sync(c.id, m, v_actor);
      IF v_done <> 'unchanged' THEN
        v_out := jsonb_set(v_out, ARRAY[v_done], (v_out->v_done) || to_jsonb(m->>'name'));
      END IF;
    EXCEPTION WHEN SQLSTATE '22023' OR SQLSTATE '23505' OR SQLSTATE 'P0002' THEN
      v_problems := v_problems || (coalesce(m->>'name', '?') || ' (' || coalesce(m->>'host', '?') || ':'
                                   || coalesce(m->>'port', '?') || '): ' || SQLERRM);
    END;
  END LOOP;
  FOR s IN SELECT x.id, x.patroni_member, x.missing_since FROM pem.server x
            WHERE x.cluster_id = c.id AND NOT (x.patroni_member = ANY (v_names)) ORDER BY x.id LOOP
    IF s.missing_since IS NULL THEN
      UPDATE pem.server SET missing_since = now() WHERE id = s.id;
      v_out := jsonb_set(v_out, '{missing}', (v_out->'missing') || to_jsonb(s.patroni_member));
    ELSIF s.missing_since <= now() - make_interval(secs => c.member_grace_s) THEN
      PERFORM pem.server_delete(v_actor, s.id, false);
      v_out := jsonb_set(v_out, '{removed}', (v_out->'removed') || to_jsonb(s.patroni_member));
    END IF;
  END LOOP;
  UPDATE pem.monitored_cluster
     SET observed_at = now(), observed_from = p_endpoint, leader = v_leader,
         timeline = (SELECT (e->>'timeline')::integer FROM jsonb_array_elements(v_members) e
                      WHERE e->>'name' = v_leader AND jsonb_typeof(e->'timeline') = 'number'),
         members_observed = v_members, observed_error = NULL, observed_error_at = NULL,
         member_problems = v_problems, scope = coalesce(scope, v_scope)
   WHERE id = c.id;
  RETURN v_out || jsonb_build_object('problems', to_jsonb(v_problems));
END $$;
