-- Every maintenance window with its target's name and its current or next
-- occurrence (pem.maintenance_occurrence): status active (covering now),
-- scheduled (a next occurrence), stopped or over.
CREATE OR REPLACE VIEW pem.maintenance_overview AS
SELECT w.id, w.scope, w.server_id, s.display_name AS server_name, w.agent_id, ag.display_name AS agent_name,
       w.group_tag, w.schedule, w.starts_at, w.ends_at, w.weekdays, to_char(w.start_time, 'HH24:MI') AS start_time,
       w.duration_s, w.time_zone, w.reason, w.created_by, w.created_at, w.stopped_at, w.stopped_by,
       o.starts_at AS occurrence_starts_at, o.ends_at AS occurrence_ends_at,
       CASE WHEN o.starts_at <= now() THEN 'active' WHEN o.starts_at IS NOT NULL THEN 'scheduled'
            WHEN w.stopped_at IS NOT NULL THEN 'stopped' ELSE 'over' END AS status
  FROM pem.maintenance_window w
  LEFT JOIN LATERAL pem.maintenance_occurrence(w, now()) o ON true
  LEFT JOIN pem.server s ON s.id = w.server_id
  LEFT JOIN pem.agent ag ON ag.id = w.agent_id;
