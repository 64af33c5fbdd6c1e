-- Deliveries: every outbox row with its target's name and attempts (no secrets).
CREATE OR REPLACE VIEW pem.notification_delivery AS
SELECT o.id, o.idempotency_key, o.alert_id, o.channel, o.webhook_id, w.name AS webhook_name, o.email_group_id,
       g.name AS email_group_name, o.event, o.context ->> 'alert_name' AS alert_name,
       o.context ->> 'object_name' AS object_name, o.context ->> 'current_state' AS state, o.status, o.attempts,
       o.max_attempts, o.created_at, o.next_attempt_at, o.delivered_at, o.last_status_code, o.last_error,
       o.lease_agent_id, o.lease_until
  FROM pem.notification_outbox o
  LEFT JOIN pem.webhook w ON w.id = o.webhook_id
  LEFT JOIN pem.email_group g ON g.id = o.email_group_id;
