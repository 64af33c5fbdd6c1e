-- Makes member p_member of monitored Patroni cluster p_cluster_id a server
-- of that cluster, or brings its server up to date (called for each member
-- of a GET /cluster answer by pem.cluster_add and
-- pem.agent_cluster_observed; p_actor is recorded as the creator).
-- p_member is one element of `members` of Patroni's GET /cluster (Patroni
-- documentation, "REST API": name, role, state, host, port, api_url,
-- timeline, lag).
--
-- A new member becomes server '<cluster name>/<member name>', kind
-- patroni-member, monitored as the cluster's member_defaults say (user,
-- sslmode, sslrootcert, maintenanceDb), tagged with the cluster's tags, and
-- bound to the agent enrolled with the member's host as its address (the
-- agent on that host), else to the agent that follows the cluster. Its
-- default alerts are bound by the registration trigger. A known member's
-- role, state and REST API are updated when they changed, its mark of
-- absence cleared, and a member that moved (another host or port) is
-- re-checked and its binding follows. Returns what was done: 'added',
-- 'moved', 'updated' or 'unchanged'.
-- Errors: 22023 (restEndpoints) for a member without name, host or port;
-- those of pem.check_server (a host:port already monitored, a display name
-- taken); nothing is written for that member.
CREATE OR REPLACE FUNCTION pem.cluster_member_sync(p_cluster_id integer, p_member jsonb, p_actor name)
RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c pem.monitored_cluster;
  s pem.server;
  v_name text := p_member->>'name';
  v_host text := p_member->>'host';
  v_port integer;
  v_api text;
  v_agent integer;
  v_display text;
  v_id integer;
  d jsonb;
BEGIN
  SELECT * INTO STRICT c FROM pem.monitored_cluster WHERE id = p_cluster_id;
  IF jsonb_typeof(p_member->'port') = 'number' THEN
    v_port := (p_member->>'port')::integer;
  END IF;
  IF v_name IS NULL OR v_name = '' OR v_host IS NULL OR v_host = '' OR v_port IS NULL THEN
    RAISE EXCEPTION 'restEndpoints: member % of cluster % has no name, host or port in GET /cluster', coalesce(v_name, '?'), c.name
      USING ERRCODE = '22023', COLUMN = 'restEndpoints';
  END IF;
  v_api := substring(p_member->>'api_url' FROM '^(https?://[^/]+)');
  SELECT * INTO s FROM pem.server WHERE cluster_id = p_cluster_id AND patroni_member = v_name;
  IF FOUND THEN
    IF lower(s.host) <> lower(v_host) OR s.port <> v_port THEN
      PERFORM pem.check_server(s.id, s.display_name, v_host, v_port, s.maintenance_db, s.user_name, s.sslmode,
                               s.sslrootcert, (SELECT b.agent_id FROM pem.server_binding b WHERE b.server_id = s.id),
                               s.tags);
      UPDATE pem.server SET host = v_host, port = v_port, patroni_api_url = v_api, patroni_role = p_member->>'role',
             patroni_state = p_member->>'state', missing_since = NULL
       WHERE id = s.id;
      UPDATE pem.server_binding SET host = v_host, port = v_port WHERE server_id = s.id;
      RETURN 'moved';
    END IF;
    IF s.patroni_role IS DISTINCT FROM p_member->>'role' OR s.patroni_state IS DISTINCT FROM p_member->>'state'
       OR s.patroni_api_url IS DISTINCT FROM v_api OR s.missing_since IS NOT NULL THEN
      UPDATE pem.server SET patroni_api_url = v_api, patroni_role = p_member->>'role',
             patroni_state = p_member->>'state', missing_since = NULL
       WHERE id = s.id;
      RETURN 'updated';
    END IF;
    RETURN 'unchanged';
  END IF;
  -- a new member: the agent on its host, else the follower
  SELECT a.id INTO v_agent FROM pem.agent a
   WHERE a.active AND host(a.host_address) = v_host ORDER BY a.id LIMIT 1;
  v_agent := coalesce(v_agent, c.agent_id);
  d := c.member_defaults;
  v_display := left(c.name || '/' || v_name, 63);
  PERFORM pem.check_server(NULL, v_display, v_host, v_port, coalesce(d->>'maintenanceDb', 'postgres'), d->>'user',
                           coalesce(d->>'sslmode', 'verify-full'), d->>'sslrootcert', v_agent, c.tags);
  INSERT INTO pem.server (display_name, host, port, maintenance_db, is_pem_backend, kind, cluster_id, tags, user_name,
                          sslmode, sslrootcert, created_by, patroni_member, patroni_api_url, patroni_role,
                          patroni_state)
  VALUES (v_display, v_host, v_port, coalesce(d->>'maintenanceDb', 'postgres'), false, 'patroni-member', c.id, c.tags,
          d->>'user', coalesce(d->>'sslmode', 'verify-full'), d->>'sslrootcert', p_actor, v_name, v_api,
          p_member->>'role', p_member->>'state')
  RETURNING id INTO v_id;
  INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name, sslmode)
  VALUES (v_id, v_agent, v_host, v_port, d->>'user', coalesce(d->>'sslmode', 'verify-full'));
  -- its agent reads its bindings at commit (else within its short wait)
  PERFORM pg_notify('pharos_agent_' || v_agent, 'bindings');
  RETURN 'added';
END $$;
