-- Pharos backend schema: what the overview counts and orders the whole fleet by, kept beside the
-- overview rows (issue 19: GET /api/fleet p95 <= 100 ms at 600 and 5,000 servers). DDL only.
--
-- Until now every overview request derived each server's status inputs and alert counts from
-- other tables: the bound agent through pem.server_binding, server_up's state from the row's
-- jsonb, and the raised alerts of every server and agent by aggregating pem.alert (6,250 raised
-- alerts at 5,000 servers, twice). Measured at 5,000 servers these joins and aggregates were most
-- of the statement's 265-794 ms (docs/benchmarks.md). Now:
--
-- - pemdata.server_overview.agent_id: the server's bound agent (pem.server_binding) when the row
--   was last rewritten; pem.overview_refresh writes it, and the trigger on pem.server_binding
--   rewrites the row whenever the binding changes (sql/functions/overview/).
-- - pemdata.server_overview.up_state: 'up', 'down' or 'unknown' from server_up's value `up`
--   (1, 0, null or absent; ui/lib/server-state.js), NULL without a server_up value.
-- - pemdata.server_alert_count, pemdata.agent_alert_count: per server and per agent (the alerts
--   of an agent itself: pem.alert.server_id NULL) the number of enabled alerts in state high,
--   medium and low, changed by +1/-1 by row triggers on pem.alert in the transaction that changed
--   the alert (pem.overview_alert_changed). Kept apart from the overview rows so that alert
--   evaluation and ingest never wait for each other's row locks. A server or agent without a raised
--   alert may have no row or a row of zeros.
ALTER TABLE pemdata.server_overview
  ADD COLUMN agent_id integer,
  ADD COLUMN up_state text CHECK (up_state IN ('up', 'down', 'unknown'));

CREATE TABLE pemdata.server_alert_count (
  server_id integer PRIMARY KEY REFERENCES pem.server (id) ON DELETE CASCADE,
  high      integer NOT NULL DEFAULT 0 CHECK (high >= 0),
  medium    integer NOT NULL DEFAULT 0 CHECK (medium >= 0),
  low       integer NOT NULL DEFAULT 0 CHECK (low >= 0)
);

CREATE TABLE pemdata.agent_alert_count (
  agent_id integer PRIMARY KEY REFERENCES pem.agent (id) ON DELETE CASCADE,
  high     integer NOT NULL DEFAULT 0 CHECK (high >= 0),
  medium   integer NOT NULL DEFAULT 0 CHECK (medium >= 0),
  low      integer NOT NULL DEFAULT 0 CHECK (low >= 0)
);
