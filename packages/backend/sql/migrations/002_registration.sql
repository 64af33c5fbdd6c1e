-- Pharos backend schema, version 2: agent registration (issue 4).
-- Applied once by packages/backend/src/migrations/run.ts.
--
-- - pem.agent: one agent per display name (a host registers once; force
--   re-registration replaces its row, it never adds a second one).
-- - pem.agent_certificate: every client certificate an agent was registered
--   with, whatever the model (docs/reference/pem-facts.md §7): operator-supplied (per-agent
--   or common agent user) or issued by the built-in CA from the agent host's
--   CSR. Rows survive unregistration (revoked_at is set) so a CRL can be made
--   from them.
-- - pem.ca_signer: the built-in CA (the counterpart of sslutils): the program
--   the primary runs with COPY ... FROM PROGRAM to sign an agent's CSR with
--   the CA key that sits in every backend's data directory. One row; only
--   superusers can read or change it (it names a program PostgreSQL runs).
-- (pem.agent_registration(id), what `pharos agent verify` asks as the agent:
-- sql/functions/registration/.)

CREATE UNIQUE INDEX agent_display_name_key ON pem.agent (display_name);

CREATE TABLE pem.agent_certificate (
  agent_id            integer NOT NULL,             -- no FK: kept after unregistration (revoked_at)
  fingerprint_sha256  text NOT NULL CHECK (fingerprint_sha256 ~ '^[0-9a-f]{64}$'),
  common_name         name NOT NULL,
  serial_number       text NOT NULL,
  issuer              text NOT NULL,
  not_before          timestamptz NOT NULL,
  not_after           timestamptz NOT NULL,
  source              text NOT NULL CHECK (source IN ('supplied', 'built-in-ca')),
  csr_pem             text,                         -- built-in-ca only: the request the agent host sent
  cert_pem            text NOT NULL,
  registered_at       timestamptz NOT NULL DEFAULT now(),
  revoked_at          timestamptz,
  PRIMARY KEY (agent_id, fingerprint_sha256),
  CHECK ((source = 'built-in-ca') = (csr_pem IS NOT NULL))
);

CREATE TABLE pem.ca_signer (
  id            boolean PRIMARY KEY DEFAULT true CHECK (id),
  -- argv of the signer, run by the primary's server process (cwd = its data directory)
  program       text[] NOT NULL CHECK (cardinality(program) > 0),
  -- CA certificate and key on every backend, relative to the data directory or absolute
  ca_cert_file  text NOT NULL DEFAULT 'ca_certificate.crt',
  ca_key_file   text NOT NULL DEFAULT 'ca_key.key',
  -- validity of the certificates it issues
  cert_days     integer NOT NULL DEFAULT 365 CHECK (cert_days BETWEEN 1 AND 3650),
  enabled_at    timestamptz NOT NULL DEFAULT now()
);
