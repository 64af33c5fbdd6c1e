-- Issue 17: cancel and terminate of a monitored server's backends, recorded.
--
-- - pem.backend_signal: every cancel or terminate an administrator asked
--   for (who, when, why, which backend of which server) and what came of it
--   (the agent signalled it, the backend was gone, the monitoring role lacks
--   pg_signal_backend, the agent failed or did not answer). Written by
--   pem.backend_signal_record (sql/functions/sessions/); kept when the server
--   is removed (server_name says which it was).

CREATE TABLE pem.backend_signal (
  id           bigserial PRIMARY KEY,
  server_id    integer NOT NULL,
  server_name  text NOT NULL,
  agent_id     integer,
  pid          integer NOT NULL CHECK (pid > 0),
  action       text NOT NULL CHECK (action IN ('cancel', 'terminate')),
  reason       text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
  requested_by name NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  outcome      text NOT NULL CHECK (outcome IN ('signalled', 'not-found', 'refused', 'failed', 'no-answer')),
  detail       text
);
COMMENT ON TABLE pem.backend_signal IS
  'cancels and terminates of monitored servers'' backends asked through Pharos: who, when, why, outcome';
CREATE INDEX backend_signal_server_idx ON pem.backend_signal (server_id, requested_at DESC);
