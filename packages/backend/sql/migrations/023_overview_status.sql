-- Pharos backend schema: what the overview counts and orders the whole fleet by, in the overview
-- rows and an index (issue 19: GET /api/fleet p95 <= 100 ms at 600 and 5,000 servers). DDL only.
--
-- Until now every overview request derived each server's status inputs from other tables (the
-- bound agent through pem.server_binding, server_up's state from the row's jsonb) and counted
-- the raised alerts of every server and agent from pem.alert twice (6,250 raised alerts at 5,000
-- servers). Now:
--
-- - pemdata.server_overview.agent_id: the server's bound agent (pem.server_binding) when the row
--   was last rewritten; pem.overview_refresh writes it, and the trigger on pem.server_binding
--   rewrites the row whenever the binding changes (sql/functions/overview/).
-- - pemdata.server_overview.up_state: 'up', 'down' or 'unknown' from server_up's value `up`
--   (1, 0, null or absent; ui/lib/server-state.js), NULL without a server_up value.
-- - pem.alert_raised_owner_idx: the raised alerts (enabled, state low, medium or high) by server,
--   agent and state, so the read counts them per server and per agent in one index-only pass.
--   Counts kept per server by triggers on pem.alert were tried and left out: an alert worker's
--   batch (pem.evaluate_due_alerts, any due alerts of any server, next_due order) and an
--   administrator's bulk change would lock the same count rows in different orders (deadlocks
--   in evaluation), where today they only touch disjoint alert rows.
ALTER TABLE pemdata.server_overview
  ADD COLUMN agent_id integer,
  ADD COLUMN up_state text CHECK (up_state IN ('up', 'down', 'unknown'));

CREATE INDEX alert_raised_owner_idx ON pem.alert (server_id, agent_id, state) WHERE enabled AND state <> 'none';
