-- Problems of the alerting system: evaluation problems and failed delivery attempts, newest first.
CREATE OR REPLACE VIEW pem.alerting_problems AS
SELECT 'alert'::text AS source, p.kind, p.at, p.alert_id, NULL::bigint AS outbox_id, p.template AS subject,
       p.message, p.agent_id
  FROM pem.alert_problem p
UNION ALL
SELECT 'delivery', CASE WHEN o.status = 'failed' THEN 'delivery_failed' ELSE 'delivery_retry' END, a.finished_at,
       o.alert_id, o.id, coalesce(w.name, g.name, o.channel), coalesce(a.error, 'HTTP ' || a.status_code), a.agent_id
  FROM pem.notification_attempt a
  JOIN pem.notification_outbox o ON o.id = a.outbox_id
  LEFT JOIN pem.webhook w ON w.id = o.webhook_id
  LEFT JOIN pem.email_group g ON g.id = o.email_group_id
 WHERE NOT a.ok;
