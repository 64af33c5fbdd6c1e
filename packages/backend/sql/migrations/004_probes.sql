-- Pharos backend schema, version 4: probes as data, per-object probe
-- settings, history that stores change points, counter rates, the probe log
-- written in batches, and the history jobs (issue 6; docs/probes.md).
-- Applied once by packages/backend/src/migrations/run.ts. The functions named
-- below are in sql/functions/ (probes/, ingest/, history/, jobs/), the view
-- pemdata.latest_rate in sql/views/.
--
-- - pem.probe grows the rest of a probe's definition (where it runs, its
--   statement timeout, columns and counter columns, history mode, retention,
--   default scope). Agents keep the descriptive part in step with their
--   catalog through pem.agent_sync_probes; interval, enablement, history mode
--   and retention are the administrator's and are only set when a probe is
--   first seen.
-- - pem.probe_override: interval and/or enablement per agent, per server or
--   per database of a server. Precedence: database > server > agent > probe.
--   Agents read their settings through pem.agent_probe_config every short wait.
-- - pem.ingest_batch stores in pemhistory only the samples of a probe with
--   history_mode 'changes' whose value differs from the previous sample of
--   the same object (or is the first of its UTC day, so every daily
--   partition holds the value in force at its start); pemdata.latest always
--   moves forward and keeps the previous sample (prev_value,
--   prev_collected_at), from which pemdata.latest_rate gives counter rates.
-- - pem.counter_rates: per-second rates of counter columns between two
--   samples, never negative: NULL across a reset (the value went down, or the
--   row's stats_reset / started_at / stats_since changed).
-- - pem.log_probe_failures: agents append probe failures to pem.probe_log
--   (migration 003) in batches.
-- - Jobs (pem.run_due_jobs): daily partitions of pemhistory.sample created 7
--   days ahead (UTC days; rows that landed in the default partition are moved
--   into their day's partition), and retention: partitions older than the
--   longest retention dropped, shorter per-probe retentions deleted, the
--   probe log kept 30 days, latest values of objects that stopped reporting
--   purged after 3 days (docs/reference/pem-facts.md §3). Jobs run only on the primary
--   (pg_is_in_recovery()), once (advisory lock, last_run_at), whoever calls.

-- ---- probes as data -----------------------------------------------------

ALTER TABLE pem.probe
  ADD COLUMN runs_on text NOT NULL DEFAULT 'both' CHECK (runs_on IN ('primary', 'standby', 'both')),
  ADD COLUMN timeout_ms integer NOT NULL DEFAULT 5000 CHECK (timeout_ms > 0),
  ADD COLUMN enabled_on text NOT NULL DEFAULT 'all' CHECK (enabled_on IN ('all', 'pem_backends')),
  ADD COLUMN history_mode text NOT NULL DEFAULT 'all' CHECK (history_mode IN ('all', 'changes')),
  ADD COLUMN retention_days integer NOT NULL DEFAULT 90 CHECK (retention_days > 0),
  ADD COLUMN columns jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(columns) = 'array'),
  ADD COLUMN counter_columns text[] NOT NULL DEFAULT '{}',
  ADD COLUMN defined_at timestamptz NOT NULL DEFAULT now(),
  -- retention bookkeeping: rows of this probe older than this were deleted
  ADD COLUMN history_expired_through timestamptz;

COMMENT ON COLUMN pem.probe.enabled_on IS
  'all: enabled decides everywhere; pem_backends: enabled by default only on servers with is_pem_backend (Patroni probes)';
COMMENT ON COLUMN pem.probe.history_mode IS
  'all: every sample in pemhistory; changes: only samples whose value differs from the previous one of the object, plus the first of each UTC day';

CREATE TABLE pem.probe_override (
  id          serial PRIMARY KEY,
  probe       text NOT NULL REFERENCES pem.probe (name) ON DELETE CASCADE ON UPDATE CASCADE,
  agent_id    integer REFERENCES pem.agent (id) ON DELETE CASCADE,
  server_id   integer REFERENCES pem.server (id) ON DELETE CASCADE,
  database    name,
  interval_s  integer CHECK (interval_s > 0),
  enabled     boolean,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(agent_id, server_id) = 1),
  CHECK (database IS NULL OR server_id IS NOT NULL),
  CHECK (interval_s IS NOT NULL OR enabled IS NOT NULL)
);
CREATE UNIQUE INDEX probe_override_object_key
  ON pem.probe_override (probe, coalesce(agent_id, 0), coalesce(server_id, 0), coalesce(database, ''));
CREATE INDEX ON pem.probe_override (server_id);

-- ---- probe log ------------------------------------------------------------

ALTER TABLE pem.probe_log ADD COLUMN IF NOT EXISTS code text;

-- ---- counters and rates -------------------------------------------------

-- Latest values keep the previous sample of their object, for rates.
ALTER TABLE pemdata.latest
  ADD COLUMN prev_value jsonb,
  ADD COLUMN prev_collected_at timestamptz;

-- ---- ingest: change points, previous values ------------------------------

ALTER TABLE pem.ship_batch ADD COLUMN stored_count integer;
COMMENT ON COLUMN pem.ship_batch.stored_count IS
  'samples of the batch stored in pemhistory (the others repeated the previous value of a history_mode=changes probe)';

