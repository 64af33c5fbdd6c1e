-- Pharos backend schema: API tokens (issue 18). DDL only; the web instances
-- read and write the table (sql/grants/40_web.sql); what a token may do is
-- decided at each use from its role's memberships (packages/web/src/auth/).
--
-- pem.api_token: a named bearer credential of one PostgreSQL role, with an
-- expiry, revocable, its last use recorded (at most once a minute). Only the
-- SHA-256 of the token is stored: the token carries 256 random bits, so a
-- fast hash is enough (nothing to brute-force, unlike a password; a slow
-- hash would only cost every API call a few milliseconds of CPU), and the
-- unique index finds it with one lookup.

CREATE TABLE pem.api_token (
  id             serial PRIMARY KEY,
  -- what it is for (shown in lists), e.g. "grafana" or "backup script"
  name           text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
  -- the role whose rights the token carries (its creator)
  role_name      name NOT NULL,
  secret_sha256  bytea NOT NULL UNIQUE CHECK (length(secret_sha256) = 32),
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  revoked_by     name,
  last_used_at   timestamptz,
  last_used_from inet,
  CHECK (expires_at > created_at),
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX ON pem.api_token (role_name);
COMMENT ON TABLE pem.api_token IS
  'API tokens (Authorization: Bearer): SHA-256 of the token, its role, expiry, revocation and last use';
