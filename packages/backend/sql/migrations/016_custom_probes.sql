-- Pharos backend schema: custom probes (issue 18). DDL only; the functions
-- are in sql/functions/probes/ (pem.custom_probe_save, pem.custom_probe_remove,
-- pem.agent_custom_probes and the trigger that tells agents), the privileges
-- in sql/grants/. docs/custom-probes.md.
--
-- A custom probe is a row of pem.probe with custom = true, named custom_*
-- (so that no release's built-in probe can ever take its name), carrying
-- what a built-in probe keeps in the agent's code: its SQL per PostgreSQL
-- major ({"13": "SELECT ...", "16": "SELECT ..."}: the text under the highest
-- key <= the server's major runs), the column naming a row's object, and
-- where it runs: every server (run_tag and run_server_ids NULL), the servers
-- carrying a tag (run_tag: a group of servers is a tag), or chosen servers
-- (run_server_ids). Interval, enablement, level (server or database),
-- columns (with types, units and counter flags), timeout and history are
-- pem.probe's columns as for every probe, so per-object overrides, ingest,
-- rates, retention, the series API and alert templates treat it like a
-- built-in probe.

ALTER TABLE pem.probe
  ADD COLUMN custom boolean NOT NULL DEFAULT false,
  ADD COLUMN sql jsonb CHECK (sql IS NULL OR jsonb_typeof(sql) = 'object'),
  ADD COLUMN object_column text,
  ADD COLUMN run_tag text,
  ADD COLUMN run_server_ids integer[],
  ADD COLUMN created_by name,
  ADD COLUMN updated_by name,
  ADD CONSTRAINT probe_custom_shape CHECK (
    NOT custom OR (name ~ '^custom_[a-z0-9_]{1,56}$' AND sql IS NOT NULL AND level IN ('server', 'database')
                   AND (run_tag IS NULL OR run_server_ids IS NULL)));

COMMENT ON COLUMN pem.probe.custom IS
  'defined by an administrator (pem.custom_probe_save), not shipped with the release';
COMMENT ON COLUMN pem.probe.sql IS
  'custom probes: SQL text by minimum PostgreSQL major, e.g. {"13": "SELECT ..."}';
COMMENT ON COLUMN pem.probe.run_tag IS
  'custom probes: run only on servers carrying this tag (NULL with run_server_ids NULL: every server)';
COMMENT ON COLUMN pem.probe.run_server_ids IS
  'custom probes: run only on these servers';
