-- Pharos backend schema, version 1.
-- Schemas (docs/reference/pem-facts.md §3): pem = configuration and state, pemdata = latest
-- value per probe and object, pemhistory = time-partitioned history.
-- Roles pem_admin, pem_user, pem_agent are created by the migration runner
-- (roles are cluster-wide, outside a database's migrations' reach to drop).
-- Applied once, in one transaction, by packages/server/src/migrations/run.ts;
-- the version is recorded in public.pharos_schema_version.

CREATE SCHEMA pem;
CREATE SCHEMA pemdata;
CREATE SCHEMA pemhistory;

-- One row per agent (docs/reference/pem-facts.md §2). user_name is the database user whose
-- certificate CN authenticates it (agentN, or a common agent user).
CREATE TABLE pem.agent (
  id              integer PRIMARY KEY CHECK (id > 0),
  user_name       name NOT NULL,
  display_name    text NOT NULL,
  host_address    inet,
  active          boolean NOT NULL DEFAULT true,
  registered_at   timestamptz NOT NULL DEFAULT now(),
  last_heartbeat  timestamptz,
  agent_version   text,
  -- samples the agent's spool dropped when full (oldest first), as reported by it
  dropped_samples bigint NOT NULL DEFAULT 0
);

-- A monitored PostgreSQL server.
CREATE TABLE pem.server (
  id            serial PRIMARY KEY,
  display_name  text NOT NULL,
  host          text NOT NULL,
  port          integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
  maintenance_db name NOT NULL DEFAULT 'postgres',
  is_pem_backend boolean NOT NULL DEFAULT false,
  active        boolean NOT NULL DEFAULT true,
  registered_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (display_name)
);

-- Agent-server binding: which agent monitors a server, and how it reaches it
-- (--asb-host-name: 127.0.0.1 on a backend so each node is monitored as itself).
CREATE TABLE pem.server_binding (
  server_id    integer PRIMARY KEY REFERENCES pem.server (id) ON DELETE CASCADE,
  agent_id     integer NOT NULL REFERENCES pem.agent (id) ON DELETE CASCADE,
  host         text NOT NULL,
  port         integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
  user_name    name NOT NULL,
  sslmode      text NOT NULL DEFAULT 'prefer'
);
CREATE INDEX ON pem.server_binding (agent_id);

-- Probes as data (issue 6 grows this): name, level, default interval.
CREATE TABLE pem.probe (
  name         text PRIMARY KEY,
  level        text NOT NULL CHECK (level IN ('agent', 'server', 'database')),
  interval_s   integer NOT NULL CHECK (interval_s > 0),
  enabled      boolean NOT NULL DEFAULT true,
  description  text NOT NULL DEFAULT ''
);

-- Batches shipped by agents: the batch id makes a retried batch a no-op.
CREATE TABLE pem.ship_batch (
  agent_id     integer NOT NULL REFERENCES pem.agent (id) ON DELETE CASCADE,
  batch_id     uuid NOT NULL,
  first_sample_id bigint NOT NULL,
  last_sample_id  bigint NOT NULL,
  sample_count integer NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_id, batch_id)
);
CREATE INDEX ON pem.ship_batch (received_at);

-- Latest value per (agent, server, probe, object): the hot set the UI reads.
-- server_id 0 = the agent's own host (agent-level probes).
CREATE TABLE pemdata.latest (
  agent_id     integer NOT NULL,
  server_id    integer NOT NULL DEFAULT 0,
  probe        text NOT NULL,
  object       text NOT NULL DEFAULT '',
  sample_id    bigint NOT NULL,
  collected_at timestamptz NOT NULL,
  value        jsonb NOT NULL,
  PRIMARY KEY (agent_id, server_id, probe, object)
);

-- History: one row per sample (agent_id, sample_id unique per agent),
-- range-partitioned by collection time; pem.ensure_history_partitions creates
-- daily partitions ahead; the default partition catches anything outside.
CREATE TABLE pemhistory.sample (
  agent_id     integer NOT NULL,
  sample_id    bigint NOT NULL,
  server_id    integer NOT NULL DEFAULT 0,
  probe        text NOT NULL,
  object       text NOT NULL DEFAULT '',
  collected_at timestamptz NOT NULL,
  value        jsonb NOT NULL
) PARTITION BY RANGE (collected_at);
CREATE TABLE pemhistory.sample_default PARTITION OF pemhistory.sample DEFAULT;
CREATE INDEX ON pemhistory.sample (agent_id, sample_id);
CREATE INDEX ON pemhistory.sample (server_id, probe, collected_at);

-- Creates the daily partitions of pemhistory.sample from today to today+days_ahead.
-- Returns the number created. Run on the primary by the partition upkeep job.
CREATE FUNCTION pem.ensure_history_partitions(days_ahead integer DEFAULT 7)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  d date;
  n integer := 0;
  part text;
BEGIN
  FOR d IN SELECT generate_series(current_date, current_date + days_ahead, interval '1 day')::date LOOP
    part := 'sample_' || to_char(d, 'YYYYMMDD');
    IF to_regclass('pemhistory.' || part) IS NULL THEN
      EXECUTE format('CREATE TABLE pemhistory.%I PARTITION OF pemhistory.sample FOR VALUES FROM (%L) TO (%L)',
                     part, d::timestamptz, (d + 1)::timestamptz);
      n := n + 1;
    END IF;
  END LOOP;
  RETURN n;
END $$;

-- Web sessions and preferences live here so any web instance serves any session.
CREATE TABLE pem.web_session (
  id_hash      bytea PRIMARY KEY,         -- sha256 of the cookie's session id
  role_name    name NOT NULL,
  is_admin     boolean NOT NULL,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX ON pem.web_session (expires_at);

CREATE TABLE pem.user_preference (
  role_name  name PRIMARY KEY,
  prefs      jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Background jobs (retention, partition upkeep, alert evaluation): run on the primary only.
CREATE TABLE pem.job (
  name         text PRIMARY KEY,
  interval_s   integer NOT NULL CHECK (interval_s > 0),
  last_run_at  timestamptz,
  last_status  text,
  last_error   text
);

-- Alert templates and alerts: the table shapes issue 8 builds on.
CREATE TABLE pem.alert_template (
  name        text PRIMARY KEY,
  level       text NOT NULL CHECK (level IN ('agent', 'server', 'database')),
  sql         text NOT NULL,
  operator    text NOT NULL CHECK (operator IN ('>', '<')),
  low         double precision NOT NULL,
  medium      double precision NOT NULL,
  high        double precision NOT NULL,
  interval_s  integer NOT NULL DEFAULT 60
);
CREATE TABLE pem.alert (
  id          serial PRIMARY KEY,
  template    text NOT NULL REFERENCES pem.alert_template (name),
  agent_id    integer REFERENCES pem.agent (id) ON DELETE CASCADE,
  server_id   integer REFERENCES pem.server (id) ON DELETE CASCADE,
  state       text NOT NULL DEFAULT 'none' CHECK (state IN ('none', 'low', 'medium', 'high')),
  enabled     boolean NOT NULL DEFAULT true,
  changed_at  timestamptz NOT NULL DEFAULT now()
);

-- Ingest, called by an agent inside its transaction after COPY into pg_temp.incoming_sample.
-- Checks that the caller's database user is the agent's (certificate CN), records
-- the batch (a retried batch returns false and stores nothing), appends history
-- and moves pemdata.latest forward. SECURITY DEFINER so pem_agent needs no
-- table privileges. Returns true when stored, false when the batch was a repeat.
CREATE FUNCTION pem.ingest_batch(p_agent_id integer, p_batch_id uuid)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_user name;
  v_first bigint;
  v_last bigint;
  v_count integer;
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
  INSERT INTO pemhistory.sample (agent_id, sample_id, server_id, probe, object, collected_at, value)
  SELECT p_agent_id, sample_id, server_id, probe, object, collected_at, value FROM pg_temp.incoming_sample;
  INSERT INTO pemdata.latest AS l (agent_id, server_id, probe, object, sample_id, collected_at, value)
  SELECT DISTINCT ON (server_id, probe, object) p_agent_id, server_id, probe, object, sample_id, collected_at, value
    FROM pg_temp.incoming_sample ORDER BY server_id, probe, object, collected_at DESC, sample_id DESC
  ON CONFLICT (agent_id, server_id, probe, object) DO UPDATE
    SET sample_id = excluded.sample_id, collected_at = excluded.collected_at, value = excluded.value
    WHERE l.collected_at <= excluded.collected_at;
  UPDATE pem.agent SET last_heartbeat = now() WHERE id = p_agent_id;
  RETURN true;
END $$;

-- Heartbeat: marks the agent alive and records its version and dropped-sample count.
CREATE FUNCTION pem.agent_heartbeat(p_agent_id integer, p_version text, p_dropped_samples bigint)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE pem.agent SET last_heartbeat = now(), agent_version = p_version, dropped_samples = p_dropped_samples
   WHERE id = p_agent_id AND user_name = session_user;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user % may not send heartbeats for agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
END $$;

-- An agent's configuration: its server bindings (read by the agent at start and on a short wait).
CREATE FUNCTION pem.agent_bindings(p_agent_id integer)
RETURNS TABLE (server_id integer, display_name text, host text, port integer, user_name name, sslmode text, maintenance_db name)
LANGUAGE sql SECURITY DEFINER STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT s.id, s.display_name, b.host, b.port, b.user_name, b.sslmode, s.maintenance_db
    FROM pem.server_binding b JOIN pem.server s ON s.id = b.server_id
    JOIN pem.agent a ON a.id = b.agent_id
   WHERE b.agent_id = p_agent_id AND s.active AND a.user_name = session_user
   ORDER BY s.id
$$;

REVOKE ALL ON FUNCTION pem.ingest_batch(integer, uuid) FROM PUBLIC;
REVOKE ALL ON FUNCTION pem.agent_heartbeat(integer, text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION pem.agent_bindings(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION pem.ensure_history_partitions(integer) FROM PUBLIC;

-- Privileges. The group roles exist before any migration runs (run.ts creates
-- them): pem_user reads, pem_admin administers, pem_agent ships through the
-- functions above only, pem_web is the web instances' service role group
-- (reads like pem_user, keeps sessions and preferences).
GRANT USAGE ON SCHEMA pem, pemdata, pemhistory TO pem_user, pem_admin, pem_agent, pem_web;
GRANT SELECT ON pem.agent, pem.server, pem.server_binding, pem.probe, pem.job, pem.alert_template, pem.alert,
  pem.ship_batch TO pem_user, pem_admin, pem_web;
GRANT SELECT ON ALL TABLES IN SCHEMA pemdata, pemhistory TO pem_user, pem_admin, pem_web;
ALTER DEFAULT PRIVILEGES IN SCHEMA pemhistory GRANT SELECT ON TABLES TO pem_user, pem_admin, pem_web;
GRANT INSERT, UPDATE, DELETE ON pem.server, pem.server_binding, pem.probe, pem.alert_template, pem.alert,
  pem.job TO pem_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON pem.web_session, pem.user_preference TO pem_web;
GRANT EXECUTE ON FUNCTION pem.ingest_batch(integer, uuid), pem.agent_heartbeat(integer, text, bigint),
  pem.agent_bindings(integer) TO pem_agent;
