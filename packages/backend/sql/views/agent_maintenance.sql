-- The agents (their hosts' agent-level alerts) a maintenance window covers
-- now (an agent or fleet window), with the window, who set it, why and until when.
CREATE OR REPLACE VIEW pem.agent_maintenance AS
SELECT x.agent_id, w.id AS window_id, w.scope, w.reason, w.created_by, w.created_at,
       (SELECT o.ends_at FROM pem.maintenance_occurrence(w, now()) o) AS until
  FROM (SELECT a.id AS agent_id, pem.maintenance_window_for(a.id, NULL, now()) AS window_id FROM pem.agent a) x
  JOIN pem.maintenance_window w ON w.id = x.window_id;
