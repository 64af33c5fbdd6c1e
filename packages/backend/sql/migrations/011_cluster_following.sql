-- Pharos backend schema, version 11: following monitored Patroni clusters
-- (issue 14; docs/monitoring-a-server.md "Patroni clusters"). DDL only; the
-- functions are in sql/functions/fleet/ (cluster_add, cluster_remove,
-- agent_clusters, agent_cluster_observed), the privileges in sql/grants/.
--
-- A monitored cluster (pem.monitored_cluster, migration 010) is followed by
-- one agent: every probe interval it reads the cluster's `GET /cluster`
-- (Patroni REST API) from one of its REST endpoints and hands the answer to
-- pem.agent_cluster_observed, which records what it saw on the cluster
-- (leader, timeline, members) and reconciles the cluster's servers with the
-- members: a new member becomes a server of the cluster, a member that is
-- gone is marked (missing_since) and removed after member_grace_s, a member
-- whose role, state, address or REST API changed is updated.
--
-- Observed, never configured: the columns the follower writes
-- (monitored_cluster.observed_*, leader, timeline, members_observed;
-- server.patroni_role, patroni_state, missing_since). A server's role is what
-- its agent or the follower saw last (fleet/servers.ts).

ALTER TABLE pem.monitored_cluster
  -- the Patroni scope the REST endpoints answered with when the cluster was added
  ADD COLUMN scope text,
  -- a member absent from GET /cluster this long is removed (its server, binding, alerts)
  ADD COLUMN member_grace_s integer NOT NULL DEFAULT 60 CHECK (member_grace_s BETWEEN 0 AND 86400),
  -- the follower's last GET /cluster answer: when, from which endpoint, the leader, its timeline, the members
  ADD COLUMN observed_at timestamptz,
  ADD COLUMN observed_from text,
  ADD COLUMN leader text,
  ADD COLUMN timeline integer,
  ADD COLUMN members_observed jsonb,
  -- the follower's last failure to read the cluster (NULL once it answers again)
  ADD COLUMN observed_error text,
  ADD COLUMN observed_error_at timestamptz,
  -- members that could not be added as servers, and why (e.g. host:port already monitored)
  ADD COLUMN member_problems text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN pem.monitored_cluster.scope IS 'Patroni scope answered by GET /cluster when the cluster was added';
COMMENT ON COLUMN pem.monitored_cluster.members_observed IS
  'members of the last GET /cluster answer: name, role, state, host, port, api_url, timeline, lag (observed)';

ALTER TABLE pem.server
  -- the member's name in its Patroni cluster (GET /cluster members[].name)
  ADD COLUMN patroni_member text,
  -- base URL of the member's REST API (members[].api_url without its path): the Patroni probes ask it
  ADD COLUMN patroni_api_url text,
  -- as the follower last saw them (observed)
  ADD COLUMN patroni_role text,
  ADD COLUMN patroni_state text,
  -- absent from the cluster's GET /cluster since (observed); removed after the cluster's member_grace_s
  ADD COLUMN missing_since timestamptz,
  ADD CONSTRAINT server_patroni_member_cluster CHECK (patroni_member IS NULL OR cluster_id IS NOT NULL);
CREATE UNIQUE INDEX server_cluster_member_idx ON pem.server (cluster_id, patroni_member)
  WHERE cluster_id IS NOT NULL;

-- pem.agent_bindings returns each server's Patroni REST API and the CA file
-- that verifies it (new columns of its result: CREATE OR REPLACE cannot add
-- them, so the old one goes here and sql/functions/registration/
-- 02_agent_bindings.sql makes the new one).
DROP FUNCTION IF EXISTS pem.agent_bindings(integer);
