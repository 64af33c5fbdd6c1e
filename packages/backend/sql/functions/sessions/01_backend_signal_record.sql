-- Records that p_actor asked to p_action ('cancel' or 'terminate') backend
-- p_pid of server p_server_id for p_reason, through agent p_agent_id, and
-- what came of it (p_outcome: signalled, not-found,
-- refused, failed, no-answer; p_detail: the agent's sentence). Returns the
-- record's id. Errors: P0002 (column id) for an unknown server, 22023
-- (column reason) for an empty reason or one over 500 characters, 22023
-- (column action / outcome) for other values.
CREATE OR REPLACE FUNCTION pem.backend_signal_record(p_actor name, p_server_id integer, p_agent_id integer,
                                                     p_pid integer, p_action text, p_reason text,
                                                     p_outcome text, p_detail text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_name text;
  v_id bigint;
BEGIN
  SELECT display_name INTO v_name FROM pem.server WHERE id = p_server_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'serverId: there is no server %', p_server_id USING ERRCODE = 'P0002', COLUMN = 'id';
  END IF;
  IF p_reason IS NULL OR length(btrim(p_reason)) = 0 OR length(btrim(p_reason)) > 500 THEN
    RAISE EXCEPTION 'reason: say why, in 1 to 500 characters' USING ERRCODE = '22023', COLUMN = 'reason';
  END IF;
  IF p_action IS NULL OR p_action NOT IN ('cancel', 'terminate') THEN
    RAISE EXCEPTION 'action: ''%'' is neither cancel nor terminate', p_action USING ERRCODE = '22023', COLUMN = 'action';
  END IF;
  IF p_outcome IS NULL OR p_outcome NOT IN ('signalled', 'not-found', 'refused', 'failed', 'no-answer') THEN
    RAISE EXCEPTION 'outcome: ''%'' is not an outcome', p_outcome USING ERRCODE = '22023', COLUMN = 'outcome';
  END IF;
  INSERT INTO pem.backend_signal (server_id, server_name, agent_id, pid, action, reason, requested_by,
                                  outcome, detail)
  VALUES (p_server_id, v_name, p_agent_id, p_pid, p_action, btrim(p_reason), p_actor, p_outcome, p_detail)
  RETURNING id INTO v_id;
  RETURN v_id;
END $$;
