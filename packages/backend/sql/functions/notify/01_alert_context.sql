-- The placeholders' values for alert p_alert_id (docs/alerts.md lists them).
CREATE OR REPLACE FUNCTION pem.alert_context(p_alert_id integer, p_event text, p_old_state text, p_new_state text,
                                             p_value double precision, p_detail text, p_flapping boolean,
                                             p_raised_at timestamptz, p_seq bigint)
RETURNS jsonb LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT jsonb_build_object(
    'alert_id', al.id, 'alert_name', t.name, 'alert_level', t.level, 'description', t.description,
    'unit', t.unit, 'object', al.object,
    'object_name', CASE WHEN al.server_id IS NULL THEN ag.display_name
                        WHEN al.object = '' THEN s.display_name ELSE s.display_name || '/' || al.object END,
    'agent_id', coalesce(al.agent_id, b.agent_id), 'agent_name', ag.display_name,
    'server_id', al.server_id, 'server_name', s.display_name,
    'database_name', CASE WHEN t.level = 'database' THEN nullif(al.object, '') END,
    'operator', al.operator, 'low_threshold', al.low, 'medium_threshold', al.medium, 'high_threshold', al.high,
    'threshold', CASE p_new_state WHEN 'high' THEN al.high WHEN 'medium' THEN al.medium
                                  WHEN 'low' THEN al.low END,
    'current_value', p_value, 'detail', p_detail, 'current_state', p_new_state, 'previous_state', p_old_state,
    'event', p_event, 'flapping', p_flapping, 'raised_at', p_raised_at, 'event_at', now(),
    'event_seq', p_seq)
  FROM pem.alert al
  JOIN pem.alert_template t ON t.name = al.template
  LEFT JOIN pem.server s ON s.id = al.server_id
  LEFT JOIN pem.server_binding b ON b.server_id = al.server_id
  LEFT JOIN pem.agent ag ON ag.id = coalesce(al.agent_id, b.agent_id)
  WHERE al.id = p_alert_id
$$;
