-- Pharos backend schema: the overview's rows (GET /api/fleet, issue 19:
-- overview p95 <= 100 ms at 600 and 5,000 servers). DDL only.
--
-- Until now every overview request computed each server's shown values from
-- pemdata.latest (about 20 rows per server through latest_overview_idx,
-- migration 018: 0.45-1.04 s at 600 servers, 2.1-4.1 s at 5,000). These
-- tables hold that result, one row per server and per agent, rewritten by
-- pem.overview_refresh (sql/functions/overview/) whenever what it is made of
-- changes: by statement triggers on pemdata.latest (at ingest, in the
-- transaction of pem.ingest_batch's upsert, for the servers a batch brought
-- overview probes of; and when rows are deleted: server removal, agent
-- unregistration, expiry) and on pem.server_binding (pemdata.server_latest
-- then chooses other rows). What depends on the clock (ages,
-- staleness, agent liveness, maintenance) or on other tables (names,
-- alert counts: raised alerts are few and read through pem.alert's partial
-- index alert_raised_idx, migration 006) is computed when the overview is
-- read, for the requested page only.
--
-- latest: {probe: [{object, at, value}]}, the overview probes' objects of each
--   probe's newest run as pemdata.server_latest chooses them (agents: their
--   own host rows, server 0), by object; `at` the collection time (full
--   precision), `value` the agent's value as stored (the API projects it).
-- newest_at: the newest `at` of latest; up/up_at: server_up's value and time
--   (object '' else the first), for the status without reading latest.
-- toast_tuple_target 128: `latest` (1-5 kB) is moved out of the row, so the
--   read that counts and orders every server scans narrow rows and fetches
--   `latest` for the page's rows only.
-- win: the rates between the two newest database_stats samples
--   ({seconds, commitsPerS, cacheHitPct}), NULL before a second sample.
CREATE TABLE pemdata.server_overview (
  server_id    integer PRIMARY KEY REFERENCES pem.server (id) ON DELETE CASCADE,
  latest       jsonb NOT NULL DEFAULT '{}',
  newest_at    timestamptz,
  up           jsonb,
  up_at        timestamptz,
  win          jsonb,
  refreshed_at timestamptz NOT NULL DEFAULT now()
) WITH (toast_tuple_target = 128);

CREATE TABLE pemdata.agent_overview (
  agent_id     integer PRIMARY KEY REFERENCES pem.agent (id) ON DELETE CASCADE,
  latest       jsonb NOT NULL DEFAULT '{}',
  newest_at    timestamptz,
  refreshed_at timestamptz NOT NULL DEFAULT now()
) WITH (toast_tuple_target = 128);

