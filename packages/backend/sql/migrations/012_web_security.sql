-- Pharos backend schema, version 12: what the security review (issue 16)
-- asked of the web tier and of agent certificates. DDL only; the functions
-- are in sql/functions/web/ and sql/functions/registration/, the
-- privileges in sql/grants/.
--
-- - M5: pem.webhook_public shows a webhook's URL as its origin only
--   (scheme://host[:port], column url_origin instead of url): the path and
--   query of Slack/Teams-style URLs are the secret. The view's columns
--   change, so it is dropped here (when an upgraded database has it) and made
--   again by views/webhook_public.sql.
-- - L4: pem.login_throttle, the refused logins per user name and per client
--   address, shared by every web instance (pem.login_throttle_wait,
--   pem.login_throttle_record).
-- - L5: pem.web_session.credential_epoch, a digest of the role's password
--   verifier and VALID UNTIL when the session was made
--   (pem.role_credential_epoch): a session ends when they change. Sessions
--   made before this version have none and end at their next request.

DROP VIEW IF EXISTS pem.webhook_public;

CREATE TABLE pem.login_throttle (
  -- 'user' (the user name as typed) or 'address' (the client address)
  kind          text NOT NULL CHECK (kind IN ('user', 'address')),
  key           text NOT NULL CHECK (length(key) <= 256),
  window_start  timestamptz NOT NULL DEFAULT now(),
  failures      integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  PRIMARY KEY (kind, key)
);
CREATE INDEX ON pem.login_throttle (window_start);
COMMENT ON TABLE pem.login_throttle IS
  'refused web logins in the current window, per user name and per client address (every web instance counts here)';

ALTER TABLE pem.web_session ADD COLUMN credential_epoch text;
COMMENT ON COLUMN pem.web_session.credential_epoch IS
  'pem.role_credential_epoch(role_name) when the session was made; a different value ends the session';
