-- The latest value of every (server, probe, object) for readers (the web application): the row of
-- the agent bound to the server when it has one, else the newest row another agent stored for it
-- (before a rebinding, or for a server bound to no agent now). An agent can only store rows for the
-- servers bound to it (pem.agent_writable_servers), so the bound agent's rows win over anything
-- another agent stored; agent-level values (server 0) are in pemdata.latest by agent.
CREATE OR REPLACE VIEW pemdata.server_latest AS
SELECT DISTINCT ON (l.server_id, l.probe, l.object)
       l.agent_id, l.server_id, l.probe, l.object, l.sample_id, l.collected_at, l.value
  FROM pemdata.latest l
  LEFT JOIN pem.server_binding b ON b.server_id = l.server_id
 WHERE l.server_id <> 0
 ORDER BY l.server_id, l.probe, l.object, (l.agent_id = b.agent_id) IS TRUE DESC, l.collected_at DESC;
