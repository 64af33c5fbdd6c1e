-- Claims up to p_limit pending notifications whose time has come and whose lease (if any) ran out,
-- leasing them to agent p_agent_id for p_lease_s seconds and counting the attempt. Returns each
-- with what delivery needs: the channel's target (webhook: url, method, headers, payload_template,
-- timeout_ms, tls_verify; email: recipients, subject/body templates, and the SMTP settings) or NULL
-- when the target was deleted. Errors: 42501 unless the agent may send notifications.
CREATE OR REPLACE FUNCTION pem.claim_notifications(p_agent_id integer, p_limit integer DEFAULT 20, p_lease_s integer DEFAULT 120)
RETURNS TABLE (id bigint, idempotency_key text, channel text, event text, attempt integer,
               max_attempts integer, context jsonb, target jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  PERFORM pem.require_alert_worker(p_agent_id, 'notify');
  RETURN QUERY
  WITH c AS (
    SELECT o.id, o.webhook_id, o.email_group_id FROM pem.notification_outbox o
     WHERE o.status = 'pending' AND o.next_attempt_at <= now() AND (o.lease_until IS NULL OR o.lease_until < now())
     ORDER BY o.next_attempt_at, o.id
     LIMIT p_limit
     FOR UPDATE SKIP LOCKED
  ), u AS (
    UPDATE pem.notification_outbox o
       SET lease_agent_id = p_agent_id, lease_until = now() + make_interval(secs => p_lease_s),
           attempts = o.attempts + 1
      FROM c
     WHERE o.id = c.id
    RETURNING o.id, o.idempotency_key, o.channel, o.event, o.attempts, o.max_attempts, o.context,
              o.webhook_id, o.email_group_id
  )
  SELECT u.id, u.idempotency_key, u.channel, u.event, u.attempts, u.max_attempts, u.context,
         CASE u.channel
           WHEN 'webhook' THEN (SELECT jsonb_build_object('id', w.id, 'name', w.name, 'url', w.url, 'method', w.method,
                                        'headers', w.headers, 'payload_template', w.payload_template,
                                        'timeout_ms', w.timeout_ms, 'tls_verify', w.tls_verify)
                                  FROM pem.webhook w WHERE w.id = u.webhook_id)
           ELSE (SELECT jsonb_build_object('id', g.id, 'name', g.name, 'recipients', to_jsonb(g.recipients),
                         'subject_template', g.subject_template, 'body_template', g.body_template,
                         'smtp', (SELECT jsonb_build_object('enabled', s.enabled, 'host', s.host, 'port', s.port,
                                         'security', s.security, 'user_name', s.user_name, 'password', s.password,
                                         'from_address', s.from_address, 'tls_verify', s.tls_verify,
                                         'tls_ca_pem', s.tls_ca_pem, 'timeout_ms', s.timeout_ms)
                                    FROM pem.smtp_settings s WHERE s.id))
                   FROM pem.email_group g WHERE g.id = u.email_group_id)
         END
    FROM u ORDER BY u.id;
END $$;
