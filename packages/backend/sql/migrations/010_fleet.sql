-- Pharos backend schema, version 10: the monitored fleet (issue 14;
-- docs/monitoring-a-server.md). DDL and data moves only; the functions are
-- in sql/functions/fleet/, registration/ and tasks/, the privileges in
-- sql/grants/.
--
-- - pem.deployment: this deployment's random id, made once at install. An
--   enrolment token carries it, so a token from another deployment is
--   refused by name.
-- - pem.server becomes the first-class monitored server: its kind
--   (standalone, or a member of a Patroni cluster), the monitored cluster it
--   belongs to, tags, the monitoring connection it is declared with
--   (monitoring user, sslmode, default verify-full, and the CA file on the
--   agent's host that verifies it), who added it, notes. Its binding
--   (pem.server_binding) stays the agent that monitors it and how that agent
--   dials it. Role (primary/standby) is observed, not configured.
--   Only the backend's install steps set is_pem_backend.
-- - pem.monitored_cluster: a Patroni cluster added by its REST endpoints
--   (its following is built on this table).
-- - pem.enrolment_token: one-time tokens that let a host enrol its agent
--   without the superuser's password; only a SHA-256 of the token is stored.
-- - pem.agent_task: requests for one agent (test-connection now), claimed by
--   the agent (woken by NOTIFY pharos_agent_<id>, or on its short wait) and
--   answered with a result.

CREATE TABLE pem.deployment (
  only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  id         uuid NOT NULL DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE pem.deployment IS
  'this deployment''s identity, made at install; enrolment tokens carry the id (pht_<id hex>_<secret>)';
INSERT INTO pem.deployment DEFAULT VALUES;

CREATE TABLE pem.monitored_cluster (
  id              serial PRIMARY KEY,
  -- the cluster's name (Patroni scope)
  name            text NOT NULL UNIQUE CHECK (name <> ''),
  -- Patroni REST API base URLs (https), as the following agent dials them
  rest_endpoints  text[] NOT NULL CHECK (cardinality(rest_endpoints) > 0),
  -- CA file on the following agent's host that verifies the REST API
  rest_cafile     text,
  -- the agent that follows it (reads GET /cluster)
  agent_id        integer REFERENCES pem.agent (id) ON DELETE SET NULL,
  -- how new members are added: user_name, sslmode, sslrootcert, maintenance_db, tags
  member_defaults jsonb NOT NULL DEFAULT '{}',
  tags            text[] NOT NULL DEFAULT '{}',
  created_by      name,
  created_at      timestamptz NOT NULL DEFAULT now(),
  notes           text NOT NULL DEFAULT ''
);

ALTER TABLE pem.server
  ADD COLUMN kind text NOT NULL DEFAULT 'standalone' CHECK (kind IN ('standalone', 'patroni-member')),
  ADD COLUMN cluster_id integer REFERENCES pem.monitored_cluster (id) ON DELETE CASCADE,
  ADD COLUMN tags text[] NOT NULL DEFAULT '{}',
  ADD COLUMN user_name name,
  ADD COLUMN sslmode text NOT NULL DEFAULT 'verify-full'
    CHECK (sslmode IN ('disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full')),
  ADD COLUMN sslrootcert text,
  ADD COLUMN created_by name,
  ADD COLUMN notes text NOT NULL DEFAULT '',
  ADD CONSTRAINT server_cluster_kind CHECK (cluster_id IS NULL OR kind = 'patroni-member');
COMMENT ON COLUMN pem.server.user_name IS 'the monitoring role (a member of pg_monitor)';
COMMENT ON COLUMN pem.server.sslmode IS 'sslmode of the monitoring connection; require only when the DBA says so';
COMMENT ON COLUMN pem.server.sslrootcert IS
  'CA file on the monitoring agent''s host that verifies the server; NULL: the agent''s server_sslrootcert';
COMMENT ON COLUMN pem.server.is_pem_backend IS 'a node of the PEM backend: set by its install steps (configure) only';
CREATE INDEX server_host_port_idx ON pem.server (lower(host), port);
CREATE INDEX server_cluster_idx ON pem.server (cluster_id) WHERE cluster_id IS NOT NULL;

-- What existing servers were declared with is what their binding dials.
UPDATE pem.server s SET user_name = b.user_name, sslmode = b.sslmode
  FROM pem.server_binding b WHERE b.server_id = s.id;
UPDATE pem.server SET kind = 'patroni-member' WHERE is_pem_backend;
ALTER TABLE pem.server_binding ALTER COLUMN sslmode SET DEFAULT 'verify-full';

CREATE TABLE pem.enrolment_token (
  id            serial PRIMARY KEY,
  -- what it is for (shown in lists), e.g. the host it was made for
  name          text NOT NULL CHECK (name <> '' AND length(name) <= 200),
  token_sha256  bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
  created_by    name NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz,
  used_by_agent integer,          -- no FK: kept after the agent is unregistered
  used_from     inet,
  revoked_at    timestamptz,
  revoked_by    name,
  CHECK (expires_at > created_at),
  CHECK ((used_at IS NULL) = (used_by_agent IS NULL))
);

CREATE TABLE pem.agent_task (
  id          bigserial PRIMARY KEY,
  agent_id    integer NOT NULL REFERENCES pem.agent (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9-]{0,39}$'),
  params      jsonb NOT NULL DEFAULT '{}',
  created_by  name NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- the agent does not start it after this; the requester stops waiting then
  deadline_at timestamptz NOT NULL,
  state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed', 'expired')),
  started_at  timestamptz,
  finished_at timestamptz,
  result      jsonb,
  CHECK (deadline_at > created_at)
);
CREATE INDEX agent_task_pending_idx ON pem.agent_task (agent_id, id) WHERE state = 'pending';
CREATE INDEX agent_task_created_idx ON pem.agent_task (created_at);

-- pem.agent_bindings returns the server's sslrootcert too (a new column of
-- its result: CREATE OR REPLACE cannot add it, so the old one goes here and
-- sql/functions/registration/02_agent_bindings.sql makes the new one).
DROP FUNCTION IF EXISTS pem.agent_bindings(integer);
