-- The maintenance window that covers, at p_at, the object of an alert bound
-- to agent p_agent_id or server p_server_id (pem.maintenance_covers), or
-- NULL: the open one (not stopped before p_at) whose current occurrence
-- (pem.maintenance_occurrence) started at or before p_at; of several, the
-- one ending last (then the lowest id). Evaluation calls it only when an
-- alert has something to notify or a withheld notification.
CREATE OR REPLACE FUNCTION pem.maintenance_window_for(p_agent_id integer, p_server_id integer, p_at timestamptz)
RETURNS integer LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT w.id
    FROM pem.maintenance_window w
    CROSS JOIN LATERAL pem.maintenance_occurrence(w, p_at) o
   WHERE (w.stopped_at IS NULL OR w.stopped_at > p_at)
     AND w.starts_at <= p_at
     AND CASE w.schedule WHEN 'once' THEN w.ends_at > p_at
                         ELSE w.ends_at IS NULL OR w.ends_at > p_at - interval '7 days' END
     AND o.starts_at <= p_at
     AND pem.maintenance_covers(w, p_agent_id, p_server_id)
   ORDER BY o.ends_at DESC, w.id
   LIMIT 1
$$;
