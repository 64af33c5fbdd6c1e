-- Queues a test notification to webhook p_webhook_id or email group p_email_group_id (one of them),
-- delivered by the agents like any other. Returns the outbox id.
CREATE OR REPLACE FUNCTION pem.enqueue_test_notification(p_webhook_id integer, p_email_group_id integer DEFAULT NULL,
                                                         p_requested_by name DEFAULT session_user)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_id bigint;
  v_max integer;
BEGIN
  IF num_nonnulls(p_webhook_id, p_email_group_id) <> 1 THEN
    RAISE EXCEPTION 'name exactly one of a webhook and an email group' USING ERRCODE = '22023';
  END IF;
  IF p_webhook_id IS NOT NULL THEN
    SELECT max_retries + 1 INTO v_max FROM pem.webhook WHERE id = p_webhook_id;
  ELSE
    SELECT email_max_retries + 1 INTO v_max FROM pem.alert_settings, pem.email_group g WHERE g.id = p_email_group_id;
  END IF;
  IF v_max IS NULL THEN
    RAISE EXCEPTION 'no webhook % / email group %', p_webhook_id, p_email_group_id USING ERRCODE = '02000';
  END IF;
  INSERT INTO pem.notification_outbox (idempotency_key, channel, webhook_id, email_group_id, event, context, max_attempts)
  VALUES ('pharos-test-' || gen_random_uuid(), CASE WHEN p_webhook_id IS NULL THEN 'email' ELSE 'webhook' END,
          p_webhook_id, p_email_group_id, 'test',
          jsonb_build_object('alert_id', NULL, 'alert_name', 'Pharos test notification', 'alert_level', 'agent',
                             'object_name', 'test', 'current_state', 'none', 'previous_state', 'none',
                             'event', 'test', 'event_at', now(), 'detail', 'requested by ' || p_requested_by),
          v_max)
  RETURNING id INTO v_id;
  RETURN v_id;
END $$;
