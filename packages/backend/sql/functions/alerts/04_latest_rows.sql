-- Template helper (sql/catalogue/alert-templates.sql): the latest values of probe p_probe of an
-- alert's object that are fresh, i.e. collected less than p_max_age_s seconds ago (NULL: none),
-- every object of the probe. The object is server p_server_id, as reported by the agent bound to it
-- (what another agent stored for it before a rebinding is not read), or with p_server_id = 0 the
-- host of agent p_agent_id (pemdata.latest keeps agent-level probes under server 0); p_server_id
-- NULL, or a server bound to no agent, gives nothing. Runs as the caller (template SQL runs as
-- pharos_alert_reader). Plain SQL without a SET clause, so the planner inlines it into the
-- template's query (and reads pemdata.latest by its primary key).
CREATE OR REPLACE FUNCTION pem.latest_rows(p_agent_id integer, p_server_id integer, p_probe text,
                                           p_max_age_s double precision)
RETURNS SETOF pemdata.latest LANGUAGE sql STABLE AS $$
  SELECT l.*
    FROM pemdata.latest l
   WHERE l.probe = p_probe
     AND ((p_server_id = 0 AND l.agent_id = p_agent_id AND l.server_id = 0)
          OR (p_server_id <> 0 AND l.server_id = p_server_id
              AND l.agent_id = (SELECT b.agent_id FROM pem.server_binding b WHERE b.server_id = p_server_id)))
     AND l.collected_at > now() - make_interval(secs => p_max_age_s)
$$;
