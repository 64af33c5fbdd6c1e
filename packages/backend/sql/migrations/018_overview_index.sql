-- Pharos backend schema: an index for the overview (GET /api/fleet, issue 19:
-- overview p95 <= 100 ms at 600 and 5,000 servers). DDL only.
--
-- pemdata.latest holds one row per (agent, server, probe, object): about 600
-- per monitored server with the built-in probes (per table, index, statement,
-- setting, wait event...), 3 million at 5,000 servers. The overview reads a
-- dozen of them per server (the probes of web/contract/overview-fields.ts),
-- but its only index was the primary key (agent_id, server_id, probe, object),
-- which cannot find a server's rows without its agent, nor an agent's host
-- rows by probe across agents: every overview read scanned the whole table
-- and every jsonb value in it (2.1 s p95 at 600 servers, measured by the fleet
-- benchmark). This partial index holds only the overview probes' rows, keyed
-- as the overview groups them (server, probe, object; agent-level rows have
-- server_id 0), so a read costs what the servers' overview rows cost, not what
-- every probe of every server stores. Ingest updates these rows in place
-- (HOT when the page has room: no key column changes).
--
-- The probe list must equal OVERVIEW_FIELDS' keys (web/contract/overview-fields.ts;
-- the query names them as constants so the planner can prove the predicate):
-- web/src/api/fleet-index.test.ts checks it. A probe added to the overview
-- needs a migration that recreates the index.
CREATE INDEX latest_overview_idx ON pemdata.latest (server_id, probe, object, agent_id)
  INCLUDE (collected_at)
  WHERE probe IN ('cpu', 'load_avg', 'memory', 'server_up', 'server_info', 'connections_by_state',
                  'database_stats', 'replication_lag');
