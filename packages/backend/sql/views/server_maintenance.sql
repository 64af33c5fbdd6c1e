-- The servers a maintenance window covers now (pem.maintenance_window_for:
-- by server, by the agent bound to it, by tag, or the whole fleet), with the
-- window, who set it, why and until when (the current occurrence's end).
CREATE OR REPLACE VIEW pem.server_maintenance AS
SELECT x.server_id, w.id AS window_id, w.scope, w.reason, w.created_by, w.created_at,
       (SELECT o.ends_at FROM pem.maintenance_occurrence(w, now()) o) AS until
  FROM (SELECT s.id AS server_id, pem.maintenance_window_for(NULL, s.id, now()) AS window_id FROM pem.server s) x
  JOIN pem.maintenance_window w ON w.id = x.window_id;
