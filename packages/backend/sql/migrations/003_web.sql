-- Pharos backend schema, version 3: what the web application reads (issue 7).
--
-- pem.probe_log: recent probe failures (docs/reference/metrics.md "a missing privilege is a
-- clear, per-probe error"; issue 6 "Probe log: every failure with time,
-- probe, object and error"). Agents append through pem.log_probe_failure,
-- which checks, like pem.ingest_batch, that the caller is the agent's own
-- database user; the web application (pem_web) and users read it. Created
-- only when absent, so a probe log that migration 002 already made is kept.
-- Rows older than the retention are deleted by the retention job (issue 6).

CREATE TABLE IF NOT EXISTS pem.probe_log (
  id         bigserial PRIMARY KEY,
  agent_id   integer NOT NULL REFERENCES pem.agent (id) ON DELETE CASCADE,
  -- 0 = the agent's own host (agent-level probes), as in pemdata.latest
  server_id  integer NOT NULL DEFAULT 0,
  probe      text NOT NULL,
  object     text NOT NULL DEFAULT '',
  failed_at  timestamptz NOT NULL,
  error      text NOT NULL
);
CREATE INDEX IF NOT EXISTS probe_log_failed_at_idx ON pem.probe_log (failed_at DESC);
CREATE INDEX IF NOT EXISTS probe_log_server_failed_at_idx ON pem.probe_log (server_id, failed_at DESC);

-- Preferences are written by the web instances for the logged-in role only
-- (GET/PATCH /api/preferences); the row is a small JSON object.
ALTER TABLE pem.user_preference
  ADD CONSTRAINT user_preference_prefs_object CHECK (jsonb_typeof(prefs) = 'object' AND pg_column_size(prefs) < 8192);

