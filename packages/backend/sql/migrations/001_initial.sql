-- Pharos backend schema, version 1.
-- Schemas (docs/reference/pem-facts.md §3): pem = configuration and state, pemdata = latest
-- value per probe and object, pemhistory = time-partitioned history.
-- Roles pem_admin, pem_user, pem_agent, pem_web are created by the migration
-- runner (roles are cluster-wide, outside a database's migrations' reach to
-- drop). Applied once by packages/backend/src/migrations/run.ts; the version
-- is recorded in public.pharos_schema_version. Functions, views, catalogues
-- and privileges are not here: sql/README.md.

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
