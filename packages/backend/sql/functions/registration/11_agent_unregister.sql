-- Unregisters agent p_id on behalf of p_actor (through the web tier, no
-- superuser needed): deletes its row (its bindings, tasks and agent alerts
-- go with it), its latest values, marks its certificates revoked and
-- retires its database user (pem.retire_agent_role). History stays until
-- retention. An agent that still monitors servers is refused unless
-- p_remove_servers, which removes those servers first (pem.server_remove,
-- history kept). Returns what was done, one line each (jsonb array of text).
-- Errors: P0002 (column id) when there is no such agent; 55000 when it
-- still monitors servers (named) and p_remove_servers is false, or when it
-- monitors a node of the PEM backend (unregister those with the superuser:
-- pharos agent unregister --superuser).
CREATE OR REPLACE FUNCTION pem.agent_unregister(p_actor name, p_id integer, p_remove_servers boolean)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a pem.agent;
  v_servers text;
  v_backend text;
  v_actions text[] := '{}';
  v_retired text;
  s record;
BEGIN
  LOCK TABLE pem.agent IN SHARE ROW EXCLUSIVE MODE;
  SELECT * INTO a FROM pem.agent WHERE id = p_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no agent %', p_id USING ERRCODE = 'P0002', COLUMN = 'id';
  END IF;
  SELECT string_agg(sv.display_name, ', ' ORDER BY sv.id) FILTER (WHERE sv.is_pem_backend),
         string_agg(sv.display_name, ', ' ORDER BY sv.id)
    INTO v_backend, v_servers
    FROM pem.server_binding b JOIN pem.server sv ON sv.id = b.server_id WHERE b.agent_id = p_id;
  IF v_backend IS NOT NULL THEN
    RAISE EXCEPTION 'agent % (%) monitors the PEM backend node(s) %: unregister it with the backend''s superuser (pharos agent unregister --superuser)',
      p_id, a.display_name, v_backend USING ERRCODE = '55000';
  END IF;
  IF v_servers IS NOT NULL AND NOT p_remove_servers THEN
    RAISE EXCEPTION 'agent % (%) still monitors %: remove those servers first (pharos server remove), or unregister with --remove-servers',
      p_id, a.display_name, v_servers USING ERRCODE = '55000';
  END IF;
  FOR s IN SELECT sv.id, sv.display_name FROM pem.server_binding b JOIN pem.server sv ON sv.id = b.server_id
            WHERE b.agent_id = p_id ORDER BY sv.id LOOP
    PERFORM pem.server_remove(p_actor, s.id, false);
    v_actions := v_actions || format('removed server %s (%s); its history is kept until retention', s.id, s.display_name);
  END LOOP;
  DELETE FROM pemdata.latest WHERE agent_id = p_id;
  DELETE FROM pem.agent WHERE id = p_id;
  UPDATE pem.agent_certificate SET revoked_at = now() WHERE agent_id = p_id AND revoked_at IS NULL;
  v_actions := v_actions || format('unregistered agent %s (''%s'', user %s)', p_id, a.display_name, a.user_name);
  v_retired := pem.retire_agent_role(a.user_name);
  IF v_retired IS NOT NULL THEN
    v_actions := v_actions || v_retired;
  END IF;
  RETURN to_jsonb(v_actions);
END $$;
