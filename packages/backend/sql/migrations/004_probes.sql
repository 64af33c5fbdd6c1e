-- Pharos backend schema, version 4: probes as data, per-object probe
-- settings, history that stores change points, counter rates, the probe log
-- written in batches, and the history jobs (issue 6; docs/probes.md).
-- Applied once, in one transaction, by packages/server/src/migrations/run.ts.
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

-- An agent's catalog: inserts probes the backend does not know (with the
-- catalog's interval, enablement, history mode and retention) and refreshes
-- the descriptive fields of known ones. Returns the number of probes added.
-- p_catalog: [{name, level, runs_on, interval_s, timeout_ms, enabled,
-- enabled_on, history_mode, retention_days, description, columns,
-- counter_columns}].
CREATE FUNCTION pem.agent_sync_probes(p_agent_id integer, p_catalog jsonb)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_added integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = p_agent_id AND active AND user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not define probes for agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  WITH c AS (
    SELECT * FROM jsonb_to_recordset(p_catalog) AS x(name text, level text, runs_on text, interval_s integer,
      timeout_ms integer, enabled boolean, enabled_on text, history_mode text, retention_days integer,
      description text, columns jsonb, counter_columns text[])
     WHERE x.name ~ '^[a-z][a-z0-9_]*$'
  ), up AS (
    INSERT INTO pem.probe AS p (name, level, interval_s, enabled, description, runs_on, timeout_ms, enabled_on,
                                history_mode, retention_days, columns, counter_columns)
    SELECT c.name, c.level, c.interval_s, coalesce(c.enabled, true), coalesce(c.description, ''),
           coalesce(c.runs_on, 'both'), coalesce(c.timeout_ms, 5000), coalesce(c.enabled_on, 'all'),
           coalesce(c.history_mode, 'all'), coalesce(c.retention_days, 90), coalesce(c.columns, '[]'),
           coalesce(c.counter_columns, '{}')
      FROM c
    ON CONFLICT (name) DO UPDATE
       SET level = excluded.level, description = excluded.description, runs_on = excluded.runs_on,
           timeout_ms = excluded.timeout_ms, enabled_on = excluded.enabled_on, columns = excluded.columns,
           counter_columns = excluded.counter_columns, defined_at = now()
     WHERE (p.level, p.description, p.runs_on, p.timeout_ms, p.enabled_on, p.columns, p.counter_columns)
           IS DISTINCT FROM (excluded.level, excluded.description, excluded.runs_on, excluded.timeout_ms,
                             excluded.enabled_on, excluded.columns, excluded.counter_columns)
    RETURNING (xmax = 0) AS added
  )
  SELECT count(*) FILTER (WHERE added) INTO v_added FROM up;
  RETURN v_added;
END $$;

-- An agent's probe settings: one 'default' row per probe, the overrides of
-- the agent and of its bound servers, and, for probes enabled by default on
-- PEM backends only, an enabling 'server' row for each bound backend server
-- (unless a server override decides). The agent applies the precedence
-- database > server > agent > default per field (NULL = not set here).
CREATE FUNCTION pem.agent_probe_config(p_agent_id integer)
RETURNS TABLE (probe text, scope text, server_id integer, database name, interval_s integer, enabled boolean)
LANGUAGE sql SECURITY DEFINER STABLE SET search_path = pg_catalog, pg_temp AS $$
  WITH me AS (
    SELECT a.id FROM pem.agent a WHERE a.id = p_agent_id AND a.user_name = session_user
  ), srv AS (
    SELECT b.server_id, s.is_pem_backend
      FROM pem.server_binding b JOIN pem.server s ON s.id = b.server_id
     WHERE b.agent_id IN (SELECT id FROM me)
  ), o AS (
    SELECT o.* FROM pem.probe_override o
     WHERE o.agent_id IN (SELECT id FROM me) OR o.server_id IN (SELECT srv.server_id FROM srv)
  )
  SELECT p.name, 'default', NULL::integer, NULL::name, p.interval_s, p.enabled AND p.enabled_on = 'all'
    FROM pem.probe p
   WHERE EXISTS (SELECT 1 FROM me)
  UNION ALL
  SELECT o.probe,
         CASE WHEN o.agent_id IS NOT NULL THEN 'agent' WHEN o.database IS NOT NULL THEN 'database' ELSE 'server' END,
         o.server_id, o.database, o.interval_s, o.enabled
    FROM o
  UNION ALL
  SELECT p.name, 'server', s.server_id, NULL::name, NULL::integer,
         coalesce((SELECT ao.enabled FROM o ao WHERE ao.probe = p.name AND ao.agent_id IS NOT NULL), p.enabled)
    FROM pem.probe p CROSS JOIN srv s
   WHERE p.enabled_on = 'pem_backends' AND s.is_pem_backend
     AND NOT EXISTS (SELECT 1 FROM o so WHERE so.probe = p.name AND so.server_id = s.server_id
                        AND so.database IS NULL AND so.enabled IS NOT NULL)
$$;

-- ---- probe log ------------------------------------------------------------

ALTER TABLE pem.probe_log ADD COLUMN IF NOT EXISTS code text;

-- Appends probe failures of agent p_agent_id: p_failures = [{server_id,
-- probe, object, failed_at, error, code}]. Returns the rows added. Errors:
-- 42501 when the caller is not the agent's registered database user.
CREATE FUNCTION pem.log_probe_failures(p_agent_id integer, p_failures jsonb)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = p_agent_id AND active AND user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not log probe failures for agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  INSERT INTO pem.probe_log (agent_id, server_id, probe, object, failed_at, error, code)
  SELECT p_agent_id, coalesce(f.server_id, 0), left(f.probe, 200), left(coalesce(f.object, ''), 1000), f.failed_at,
         left(coalesce(f.error, ''), 2000), left(f.code, 20)
    FROM jsonb_to_recordset(p_failures) AS f(server_id integer, probe text, object text, failed_at timestamptz,
                                            error text, code text)
   WHERE f.probe IS NOT NULL AND f.failed_at IS NOT NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- ---- counters and rates -------------------------------------------------

-- A jsonb number, or a string of digits (bigints beyond 2^53 travel as strings), as numeric; NULL otherwise.
CREATE FUNCTION pem.jsonb_numeric(p_value jsonb)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE jsonb_typeof(p_value)
           WHEN 'number' THEN (p_value #>> '{}')::numeric
           WHEN 'string' THEN CASE WHEN (p_value #>> '{}') ~ '^-?[0-9]+(\.[0-9]+)?$' THEN (p_value #>> '{}')::numeric END
         END
$$;

-- True when counters cannot be compared between two samples of an object:
-- a reset marker of the row (stats_reset, started_at, stats_since) changed.
CREATE FUNCTION pem.counter_reset(p_prev jsonb, p_cur jsonb)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT (p_prev -> 'stats_reset') IS DISTINCT FROM (p_cur -> 'stats_reset')
      OR (p_prev -> 'started_at') IS DISTINCT FROM (p_cur -> 'started_at')
      OR (p_prev -> 'stats_since') IS DISTINCT FROM (p_cur -> 'stats_since')
$$;

-- Per-second rates of p_columns between two samples p_seconds apart, as a
-- jsonb object column -> rate. A rate is NULL (a gap, never negative) when a
-- value is missing or not a number, when it went down (reset, restart,
-- failover to another node), when a reset marker changed, or when the
-- samples are not in time order. NULL when there is no previous sample.
CREATE FUNCTION pem.counter_rates(p_prev jsonb, p_cur jsonb, p_columns text[], p_seconds double precision)
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN p_prev IS NULL OR p_cur IS NULL THEN NULL
    ELSE coalesce((
      SELECT jsonb_object_agg(c.col,
               CASE WHEN p_seconds IS NULL OR p_seconds <= 0 OR pem.counter_reset(p_prev, p_cur) THEN NULL
                    WHEN pem.jsonb_numeric(p_cur -> c.col) < pem.jsonb_numeric(p_prev -> c.col) THEN NULL
                    ELSE ((pem.jsonb_numeric(p_cur -> c.col) - pem.jsonb_numeric(p_prev -> c.col)) / p_seconds::numeric)::float8
               END)
        FROM unnest(p_columns) AS c(col)), '{}'::jsonb)
  END
$$;

-- Latest values keep the previous sample of their object, for rates.
ALTER TABLE pemdata.latest
  ADD COLUMN prev_value jsonb,
  ADD COLUMN prev_collected_at timestamptz;

-- The current rate of every counter column of every latest value: the
-- increase per second since the previous sample of the object (see
-- pem.counter_rates; `reset` says why a rate is NULL).
CREATE VIEW pemdata.latest_rate AS
SELECT l.agent_id, l.server_id, l.probe, l.object, l.collected_at,
       extract(epoch FROM l.collected_at - l.prev_collected_at)::float8 AS seconds,
       l.prev_value IS NOT NULL AND pem.counter_reset(l.prev_value, l.value) AS reset,
       pem.counter_rates(l.prev_value, l.value, p.counter_columns,
                         extract(epoch FROM l.collected_at - l.prev_collected_at)::float8) AS rates
  FROM pemdata.latest l JOIN pem.probe p ON p.name = l.probe
 WHERE cardinality(p.counter_columns) > 0;

-- Rates of a probe's counters over history: each sample of each object with
-- the rates since the previous one (history_mode 'all' probes: every sample
-- is there). For dashboards and alert templates that need more than latest.
CREATE FUNCTION pem.history_rates(p_server_id integer, p_probe text, p_from timestamptz, p_to timestamptz,
                                  p_object text DEFAULT NULL)
RETURNS TABLE (object text, collected_at timestamptz, seconds double precision, reset boolean, rates jsonb)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  WITH s AS (
    SELECT h.object, h.collected_at, h.value,
           lag(h.value) OVER w AS prev_value, lag(h.collected_at) OVER w AS prev_at
      FROM pemhistory.sample h
     WHERE h.server_id = p_server_id AND h.probe = p_probe AND h.collected_at >= p_from AND h.collected_at < p_to
       AND (p_object IS NULL OR h.object = p_object)
    WINDOW w AS (PARTITION BY h.object ORDER BY h.collected_at, h.sample_id)
  )
  SELECT s.object, s.collected_at, extract(epoch FROM s.collected_at - s.prev_at)::float8,
         s.prev_value IS NOT NULL AND pem.counter_reset(s.prev_value, s.value),
         pem.counter_rates(s.prev_value, s.value, (SELECT p.counter_columns FROM pem.probe p WHERE p.name = p_probe),
                           extract(epoch FROM s.collected_at - s.prev_at)::float8)
    FROM s
   ORDER BY s.object, s.collected_at
$$;

-- ---- ingest: change points, previous values ------------------------------

ALTER TABLE pem.ship_batch ADD COLUMN stored_count integer;
COMMENT ON COLUMN pem.ship_batch.stored_count IS
  'samples of the batch stored in pemhistory (the others repeated the previous value of a history_mode=changes probe)';

-- As in version 1 (the batch id makes a retry a no-op; only the agent's own
-- database user may ship for it), plus: samples of history_mode 'changes'
-- probes go to pemhistory only when they differ from the previous sample of
-- their object (in the batch, else pemdata.latest), when they are the first
-- of their UTC day, or when they are older than it; pemdata.latest records
-- the previous sample of each object it moves past.
CREATE OR REPLACE FUNCTION pem.ingest_batch(p_agent_id integer, p_batch_id uuid)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_user name;
  v_first bigint;
  v_last bigint;
  v_count integer;
  v_stored integer;
BEGIN
  SELECT user_name INTO v_user FROM pem.agent WHERE id = p_agent_id AND active;
  IF v_user IS NULL THEN
    RAISE EXCEPTION 'agent % is not registered or not active', p_agent_id USING ERRCODE = '42501';
  END IF;
  IF v_user <> session_user THEN
    RAISE EXCEPTION 'user % may not ship for agent % (registered user %)', session_user, p_agent_id, v_user
      USING ERRCODE = '42501';
  END IF;
  SELECT min(sample_id), max(sample_id), count(*) INTO v_first, v_last, v_count FROM pg_temp.incoming_sample;
  INSERT INTO pem.ship_batch (agent_id, batch_id, first_sample_id, last_sample_id, sample_count)
  VALUES (p_agent_id, p_batch_id, coalesce(v_first, 0), coalesce(v_last, 0), v_count)
  ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  WITH inc AS (
    SELECT i.sample_id, i.server_id, i.probe, i.object, i.collected_at, i.value,
           lag(i.value) OVER w AS batch_prev_value, lag(i.collected_at) OVER w AS batch_prev_at,
           row_number() OVER w AS rn,
           row_number() OVER (PARTITION BY i.server_id, i.probe, i.object
                              ORDER BY i.collected_at DESC, i.sample_id DESC) AS rn_desc
      FROM pg_temp.incoming_sample i
    WINDOW w AS (PARTITION BY i.server_id, i.probe, i.object ORDER BY i.collected_at, i.sample_id)
  ), j AS (
    SELECT inc.*,
           CASE WHEN inc.rn = 1 THEN l.value ELSE inc.batch_prev_value END AS prev_value,
           CASE WHEN inc.rn = 1 THEN l.collected_at ELSE inc.batch_prev_at END AS prev_at,
           coalesce(p.history_mode, 'all') AS history_mode
      FROM inc
      LEFT JOIN pemdata.latest l
        ON l.agent_id = p_agent_id AND l.server_id = inc.server_id AND l.probe = inc.probe AND l.object = inc.object
      LEFT JOIN pem.probe p ON p.name = inc.probe
  ), h AS (
    INSERT INTO pemhistory.sample (agent_id, sample_id, server_id, probe, object, collected_at, value)
    SELECT p_agent_id, j.sample_id, j.server_id, j.probe, j.object, j.collected_at, j.value
      FROM j
     WHERE j.history_mode <> 'changes' OR j.prev_value IS NULL OR j.prev_at IS NULL
        OR j.value IS DISTINCT FROM j.prev_value OR j.collected_at < j.prev_at
        OR (j.collected_at AT TIME ZONE 'UTC')::date <> (j.prev_at AT TIME ZONE 'UTC')::date
    RETURNING 1
  ), u AS (
    INSERT INTO pemdata.latest AS l (agent_id, server_id, probe, object, sample_id, collected_at, value,
                                     prev_value, prev_collected_at)
    SELECT p_agent_id, j.server_id, j.probe, j.object, j.sample_id, j.collected_at, j.value, j.prev_value, j.prev_at
      FROM j WHERE j.rn_desc = 1
    ON CONFLICT (agent_id, server_id, probe, object) DO UPDATE
      SET sample_id = excluded.sample_id, collected_at = excluded.collected_at, value = excluded.value,
          prev_value = excluded.prev_value, prev_collected_at = excluded.prev_collected_at
      WHERE l.collected_at <= excluded.collected_at
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM h) INTO v_stored;
  UPDATE pem.ship_batch SET stored_count = v_stored WHERE agent_id = p_agent_id AND batch_id = p_batch_id;
  UPDATE pem.agent SET last_heartbeat = now() WHERE id = p_agent_id;
  RETURN true;
END $$;

-- ---- jobs: partitions and retention -------------------------------------

-- Creates the daily (UTC) partitions of pemhistory.sample from today to
-- today + days_ahead, and the partition of every day that has rows in the
-- default partition (samples collected before their partition existed, e.g.
-- shipped late by an agent that was cut off): those rows are moved into it.
-- When something is to be created, the history table is first locked
-- against writes (SHARE ROW EXCLUSIVE, then ACCESS EXCLUSIVE by CREATE/ATTACH,
-- in that order so concurrent ingest waits instead of deadlocking), so no row
-- lands in the default partition between the check and the creation.
-- Returns the number of partitions created.
CREATE OR REPLACE FUNCTION pem.ensure_history_partitions(days_ahead integer DEFAULT 7)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
  d date;
  n integer := 0;
  part text;
  days date[];
BEGIN
  SELECT array_agg(g::date ORDER BY g) INTO days
    FROM generate_series(current_date, current_date + days_ahead, interval '1 day') AS g
   WHERE to_regclass('pemhistory.sample_' || to_char(g, 'YYYYMMDD')) IS NULL;
  IF days IS NULL AND NOT EXISTS (SELECT 1 FROM pemhistory.sample_default) THEN
    RETURN 0;
  END IF;
  LOCK TABLE pemhistory.sample IN SHARE ROW EXCLUSIVE MODE;
  FOR d IN
    SELECT g::date FROM generate_series(current_date, current_date + days_ahead, interval '1 day') AS g
    UNION
    SELECT DISTINCT (s.collected_at AT TIME ZONE 'UTC')::date FROM pemhistory.sample_default s
    ORDER BY 1
  LOOP
    part := 'sample_' || to_char(d, 'YYYYMMDD');
    CONTINUE WHEN to_regclass('pemhistory.' || part) IS NOT NULL;
    IF EXISTS (SELECT 1 FROM pemhistory.sample_default s
                WHERE s.collected_at >= d::timestamptz AND s.collected_at < (d + 1)::timestamptz) THEN
      EXECUTE format('CREATE TABLE pemhistory.%I (LIKE pemhistory.sample INCLUDING DEFAULTS)', part);
      EXECUTE format('WITH m AS (DELETE FROM pemhistory.sample_default WHERE collected_at >= %L AND collected_at < %L'
                     ' RETURNING *) INSERT INTO pemhistory.%I SELECT * FROM m',
                     d::timestamptz, (d + 1)::timestamptz, part);
      EXECUTE format('ALTER TABLE pemhistory.sample ATTACH PARTITION pemhistory.%I FOR VALUES FROM (%L) TO (%L)',
                     part, d::timestamptz, (d + 1)::timestamptz);
    ELSE
      EXECUTE format('CREATE TABLE pemhistory.%I PARTITION OF pemhistory.sample FOR VALUES FROM (%L) TO (%L)',
                     part, d::timestamptz, (d + 1)::timestamptz);
    END IF;
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

-- Retention (docs/reference/pem-facts.md §3): deletes rows of probes with a shorter
-- retention than the longest (only the range not expired before, per
-- probe) and expired rows of the default partition; keeps the probe log 30
-- days; purges latest values of servers no longer registered and of objects
-- that stopped reporting 3 days ago while their probe still reports others;
-- last, drops the daily partitions older than the longest retention (under
-- an ACCESS EXCLUSIVE lock of the history table, taken only then). Returns
-- what it did.
CREATE FUNCTION pem.expire_history()
RETURNS jsonb LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
  v_max integer;
  r record;
  v_dropped integer := 0;
  v_deleted bigint := 0;
  v_log bigint := 0;
  v_latest bigint := 0;
  n bigint;
  v_from timestamptz;
  v_to timestamptz;
  v_old text[];
BEGIN
  SELECT coalesce(max(retention_days), 90) INTO v_max FROM pem.probe;
  DELETE FROM pemhistory.sample_default WHERE collected_at < now() - make_interval(days => v_max);
  GET DIAGNOSTICS n = ROW_COUNT;
  v_deleted := v_deleted + n;
  FOR r IN SELECT name, retention_days, history_expired_through FROM pem.probe WHERE retention_days < v_max LOOP
    v_to := now() - make_interval(days => r.retention_days);
    v_from := coalesce(r.history_expired_through, now() - make_interval(days => v_max + 1));
    IF v_from < v_to THEN
      DELETE FROM pemhistory.sample WHERE probe = r.name AND collected_at >= v_from AND collected_at < v_to;
      GET DIAGNOSTICS n = ROW_COUNT;
      v_deleted := v_deleted + n;
      UPDATE pem.probe SET history_expired_through = v_to WHERE name = r.name;
    END IF;
  END LOOP;
  DELETE FROM pem.probe_log WHERE failed_at < now() - interval '30 days';
  GET DIAGNOSTICS v_log = ROW_COUNT;
  DELETE FROM pemdata.latest l
   WHERE (l.server_id <> 0 AND NOT EXISTS (SELECT 1 FROM pem.server s WHERE s.id = l.server_id))
      OR l.collected_at < (SELECT max(x.collected_at) FROM pemdata.latest x
                            WHERE x.agent_id = l.agent_id AND x.server_id = l.server_id AND x.probe = l.probe)
                          - interval '3 days';
  GET DIAGNOSTICS v_latest = ROW_COUNT;
  SELECT array_agg(c.relname ORDER BY c.relname) INTO v_old
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = 'pemhistory.sample'::regclass AND c.relname ~ '^sample_[0-9]{8}$'
     AND to_date(substr(c.relname, 8), 'YYYYMMDD') + 1 <= current_date - v_max;
  IF v_old IS NOT NULL THEN
    LOCK TABLE pemhistory.sample IN ACCESS EXCLUSIVE MODE;
    FOR r IN SELECT unnest(v_old) AS relname LOOP
      EXECUTE format('DROP TABLE pemhistory.%I', r.relname);
      v_dropped := v_dropped + 1;
    END LOOP;
  END IF;
  RETURN jsonb_build_object('partitions_dropped', v_dropped, 'rows_deleted', v_deleted,
                            'probe_log_deleted', v_log, 'latest_purged', v_latest, 'longest_retention_days', v_max);
END $$;

INSERT INTO pem.job (name, interval_s) VALUES ('history_partitions', 3600), ('history_retention', 86400)
ON CONFLICT (name) DO NOTHING;

-- Runs the history jobs that are due (or all of them with p_force), on the
-- primary only and by one caller at a time: on a standby it returns one
-- 'skipped' row; when another caller holds the job lock, too. Each job runs
-- in a subtransaction: a failing job is recorded in pem.job (last_status,
-- last_error) and the others still run. Lock waits are bounded (5 s) so a
-- job never stalls ingest for long.
CREATE FUNCTION pem.run_due_jobs(p_force boolean DEFAULT false)
RETURNS TABLE (job text, status text, detail text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET lock_timeout = '5s' AS $$
DECLARE
  r record;
  v_detail text;
BEGIN
  IF pg_is_in_recovery() THEN
    RETURN QUERY SELECT 'all'::text, 'skipped'::text, 'standby: jobs run on the primary only'::text;
    RETURN;
  END IF;
  IF NOT pg_try_advisory_xact_lock(7301004) THEN
    RETURN QUERY SELECT 'all'::text, 'skipped'::text, 'another caller is running the jobs'::text;
    RETURN;
  END IF;
  FOR r IN
    SELECT j.name FROM pem.job j
     WHERE j.name IN ('history_partitions', 'history_retention')
       AND (p_force OR j.last_run_at IS NULL OR j.last_run_at + make_interval(secs => j.interval_s) <= now())
     ORDER BY j.name
  LOOP
    BEGIN
      IF r.name = 'history_partitions' THEN
        v_detail := pem.ensure_history_partitions(7)::text || ' partitions created';
      ELSE
        v_detail := pem.expire_history()::text;
      END IF;
      UPDATE pem.job SET last_run_at = now(), last_status = 'ok', last_error = NULL WHERE name = r.name;
      job := r.name; status := 'ok'; detail := v_detail;
      RETURN NEXT;
    EXCEPTION WHEN OTHERS THEN
      UPDATE pem.job SET last_run_at = now(), last_status = 'failed', last_error = SQLERRM WHERE name = r.name;
      job := r.name; status := 'failed'; detail := SQLERRM;
      RETURN NEXT;
    END;
  END LOOP;
END $$;

-- The history jobs, called by agents (every minute; cheap when nothing is
-- due). Only active agents whose database user is the caller may.
CREATE FUNCTION pem.agent_run_jobs(p_agent_id integer)
RETURNS TABLE (job text, status text, detail text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = p_agent_id AND active AND user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not run jobs as agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  RETURN QUERY SELECT * FROM pem.run_due_jobs(false);
END $$;

-- ---- privileges -------------------------------------------------------------

REVOKE ALL ON FUNCTION pem.agent_sync_probes(integer, jsonb), pem.agent_probe_config(integer),
  pem.log_probe_failures(integer, jsonb), pem.ensure_history_partitions(integer), pem.expire_history(),
  pem.run_due_jobs(boolean), pem.agent_run_jobs(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pem.agent_sync_probes(integer, jsonb), pem.agent_probe_config(integer),
  pem.log_probe_failures(integer, jsonb), pem.agent_run_jobs(integer) TO pem_agent;
GRANT EXECUTE ON FUNCTION pem.run_due_jobs(boolean) TO pem_admin;
GRANT SELECT ON pem.probe_override TO pem_user, pem_admin, pem_web;
GRANT INSERT, UPDATE, DELETE ON pem.probe_override TO pem_admin;
GRANT USAGE ON SEQUENCE pem.probe_override_id_seq TO pem_admin;
GRANT SELECT ON pemdata.latest_rate TO pem_user, pem_admin, pem_web;
