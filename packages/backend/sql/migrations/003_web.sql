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

-- Records one probe failure for agent p_agent_id. Errors: 42501 when the
-- caller is not the agent's registered database user. The error text is
-- cut to 2000 characters.
CREATE OR REPLACE FUNCTION pem.log_probe_failure(p_agent_id integer, p_server_id integer, p_probe text,
                                                 p_object text, p_failed_at timestamptz, p_error text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = p_agent_id AND active AND user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not log probe failures for agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  INSERT INTO pem.probe_log (agent_id, server_id, probe, object, failed_at, error)
  VALUES (p_agent_id, coalesce(p_server_id, 0), p_probe, coalesce(p_object, ''), p_failed_at, left(p_error, 2000));
END $$;

REVOKE ALL ON FUNCTION pem.log_probe_failure(integer, integer, text, text, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pem.log_probe_failure(integer, integer, text, text, timestamptz, text) TO pem_agent;
GRANT SELECT ON pem.probe_log TO pem_user, pem_admin, pem_web;
GRANT DELETE ON pem.probe_log TO pem_admin;

-- Preferences are written by the web instances for the logged-in role only
-- (GET/PATCH /api/preferences); the row is a small JSON object.
ALTER TABLE pem.user_preference
  ADD CONSTRAINT user_preference_prefs_object CHECK (jsonb_typeof(prefs) = 'object' AND pg_column_size(prefs) < 8192);

-- Rewrites the history partition of day p_day (a day already over) in the
-- order of its (server_id, probe, collected_at) index, so that a chart over
-- that day reads a server's samples from a few contiguous pages instead of
-- one page per sample (agents' batches interleave all servers' rows).
-- CLUSTER takes an ACCESS EXCLUSIVE lock on that one partition while it
-- runs; late samples for that day wait for it. Meant for the partition
-- upkeep job on the primary (issue 6), once per closed day. Returns false
-- when the day has no partition of its own. Errors: 22023 for today or later.
CREATE OR REPLACE FUNCTION pem.cluster_history_day(p_day date)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  part regclass := to_regclass('pemhistory.sample_' || to_char(p_day, 'YYYYMMDD'));
  idx regclass;
BEGIN
  IF p_day >= current_date THEN
    RAISE EXCEPTION 'the history of % is still being written', p_day USING ERRCODE = '22023';
  END IF;
  IF part IS NULL THEN
    RETURN false;
  END IF;
  SELECT i.indexrelid::regclass INTO idx
    FROM pg_index i
   WHERE i.indrelid = part AND pg_get_indexdef(i.indexrelid) LIKE '%USING btree (server_id, probe, collected_at)'
   LIMIT 1;
  IF idx IS NULL THEN
    RAISE EXCEPTION 'partition % has no (server_id, probe, collected_at) index', part;
  END IF;
  EXECUTE format('CLUSTER %s USING %I', part, (SELECT relname FROM pg_class WHERE oid = idx));
  EXECUTE format('ANALYZE %s', part);
  RETURN true;
END $$;
REVOKE ALL ON FUNCTION pem.cluster_history_day(date) FROM PUBLIC;
