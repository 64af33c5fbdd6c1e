-- Writes the outbox rows of one event of alert p_alert_id: one per enabled webhook whose level
-- flag matches (when the alert notifies webhooks) and one for its email group (when SMTP is set up
-- and enabled). p_level is the level that routes it: low, medium, high or cleared. Keys are
-- pharos-a<alert>-e<seq>-<event>-<state>-w<webhook>|g<group>. Returns the number of rows written.
CREATE OR REPLACE FUNCTION pem.enqueue_alert_event(p_alert_id integer, p_event text, p_level text, p_new_state text,
                                                   p_seq bigint, p_context jsonb)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a record;
  n integer := 0;
  m integer;
  v_group integer;
BEGIN
  SELECT notify_webhooks, notify_email, email_group_id INTO a FROM pem.alert WHERE id = p_alert_id;
  IF a.notify_webhooks THEN
    INSERT INTO pem.notification_outbox (idempotency_key, alert_id, channel, webhook_id, event, context, max_attempts)
    SELECT format('pharos-a%s-e%s-%s-%s-w%s', p_alert_id, p_seq, p_event, p_new_state, w.id), p_alert_id,
           'webhook', w.id, p_event, p_context, w.max_retries + 1
      FROM pem.webhook w
     WHERE w.enabled AND CASE p_level WHEN 'high' THEN w.on_high WHEN 'medium' THEN w.on_medium
                                      WHEN 'low' THEN w.on_low ELSE w.on_cleared END
    ON CONFLICT (idempotency_key) DO NOTHING;
    GET DIAGNOSTICS m = ROW_COUNT;
    n := n + m;
  END IF;
  IF a.notify_email AND EXISTS (SELECT 1 FROM pem.smtp_settings WHERE enabled) THEN
    v_group := coalesce(a.email_group_id, (SELECT default_email_group_id FROM pem.alert_settings));
    INSERT INTO pem.notification_outbox (idempotency_key, alert_id, channel, email_group_id, event, context, max_attempts)
    SELECT format('pharos-a%s-e%s-%s-%s-g%s', p_alert_id, p_seq, p_event, p_new_state, g.id), p_alert_id,
           'email', g.id, p_event, p_context, (SELECT email_max_retries FROM pem.alert_settings) + 1
      FROM pem.email_group g
     WHERE g.id = v_group AND g.enabled
       AND CASE p_level WHEN 'high' THEN g.on_high WHEN 'medium' THEN g.on_medium
                        WHEN 'low' THEN g.on_low ELSE g.on_cleared END
    ON CONFLICT (idempotency_key) DO NOTHING;
    GET DIAGNOSTICS m = ROW_COUNT;
    n := n + m;
  END IF;
  RETURN n;
END $$;
