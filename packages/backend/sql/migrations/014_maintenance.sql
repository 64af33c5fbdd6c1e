-- Pharos backend schema, version 14: maintenance windows (issue 18; PEM
-- calls them blackouts; docs/maintenance.md). DDL only; the functions are in
-- sql/functions/maintenance/ (schedule, coverage, start/stop) and
-- alerts/16_evaluate_alert_locked.sql (the notification rule), the views in
-- sql/views/, the privileges in sql/grants/.
--
-- - pem.maintenance_window: a window on a server, an agent (its host: the
--   agent's own alerts and those of the servers bound to it), a group (the
--   servers carrying a tag) or the whole fleet. Schedule 'once' is
--   [starts_at, ends_at) ("now for 2 h" is a once window starting now);
--   'weekly' repeats on the ISO weekdays listed, at start_time local time in
--   time_zone (an IANA name), for duration_s, from starts_at on and until
--   ends_at (NULL: no end). Who set it, when and why (reason required) are
--   kept; stopping one sets stopped_at/stopped_by (it is kept for the record).
-- - pem.alert.maintenance_held: a notification of this alert was withheld by
--   a window since the last one sent. Evaluation sends one notification when
--   no window covers the alert any more and it is still raised, and clears
--   the flag (in the transaction that writes the outbox row: exactly once).
-- - pem.alert_history.maintenance_id: the window that withheld the
--   notification of this change (notified is false then).

CREATE TABLE pem.maintenance_window (
  id          serial PRIMARY KEY,
  scope       text NOT NULL CHECK (scope IN ('server', 'agent', 'group', 'fleet')),
  server_id   integer REFERENCES pem.server (id) ON DELETE CASCADE,
  agent_id    integer REFERENCES pem.agent (id) ON DELETE CASCADE,
  group_tag   text CHECK (group_tag <> '' AND length(group_tag) <= 100),
  schedule    text NOT NULL CHECK (schedule IN ('once', 'weekly')),
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz,
  -- weekly: ISO weekdays (1 = Monday .. 7 = Sunday), local start time, length, IANA time zone
  weekdays    smallint[] CHECK (weekdays <@ '{1,2,3,4,5,6,7}'::smallint[] AND cardinality(weekdays) > 0),
  start_time  time,
  duration_s  integer CHECK (duration_s BETWEEN 60 AND 604800),
  time_zone   text,
  reason      text NOT NULL CHECK (btrim(reason) <> '' AND length(reason) <= 500),
  created_by  name NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  stopped_at  timestamptz,
  stopped_by  name,
  CONSTRAINT maintenance_window_target CHECK (
    CASE scope
      WHEN 'server' THEN server_id IS NOT NULL AND agent_id IS NULL AND group_tag IS NULL
      WHEN 'agent' THEN agent_id IS NOT NULL AND server_id IS NULL AND group_tag IS NULL
      WHEN 'group' THEN group_tag IS NOT NULL AND server_id IS NULL AND agent_id IS NULL
      ELSE num_nonnulls(server_id, agent_id, group_tag) = 0
    END),
  CONSTRAINT maintenance_window_schedule CHECK (
    CASE schedule
      WHEN 'once' THEN ends_at IS NOT NULL AND ends_at > starts_at
                       AND num_nonnulls(weekdays, start_time, duration_s, time_zone) = 0
      ELSE num_nulls(weekdays, start_time, duration_s, time_zone) = 0 AND (ends_at IS NULL OR ends_at > starts_at)
    END)
);
COMMENT ON TABLE pem.maintenance_window IS
  'maintenance windows (PEM: blackouts): alerts are evaluated and recorded but notify nobody (docs/maintenance.md)';
CREATE INDEX maintenance_window_open_idx ON pem.maintenance_window (id) WHERE stopped_at IS NULL;

ALTER TABLE pem.alert ADD COLUMN maintenance_held boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN pem.alert.maintenance_held IS
  'a notification was withheld by a maintenance window since the last one sent (one is sent after it if still raised)';
ALTER TABLE pem.alert_history ADD COLUMN maintenance_id integer;
COMMENT ON COLUMN pem.alert_history.maintenance_id IS
  'the maintenance window that withheld this change''s notification (notified is false)';
