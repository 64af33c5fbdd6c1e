-- Template helper: the newest of pem.latest_rows(...) that has no object (object ''), the row of a
-- probe that reports one value per server or host; no row when there is none fresh.
CREATE OR REPLACE FUNCTION pem.latest_row(p_agent_id integer, p_server_id integer, p_probe text,
                                          p_max_age_s double precision)
RETURNS SETOF pemdata.latest LANGUAGE sql STABLE AS $$
  SELECT l.*
    FROM pem.latest_rows(p_agent_id, p_server_id, p_probe, p_max_age_s) l
   WHERE l.object = ''
   ORDER BY l.collected_at DESC
   LIMIT 1
$$;
