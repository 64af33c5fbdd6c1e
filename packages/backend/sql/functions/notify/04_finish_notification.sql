-- Records attempt p_attempt of notification p_id by agent p_agent_id (once: a repeated call is a
-- no-op) and moves the notification on: delivered on success (whoever holds the lease); on failure,
-- when the attempt is still the current claim: failed when p_permanent or attempts are used up,
-- else pending again after p_retry_in_s seconds. Returns the notification's status afterwards.
CREATE OR REPLACE FUNCTION pem.finish_notification(p_agent_id integer, p_id bigint, p_attempt integer, p_ok boolean,
                                                   p_status_code integer, p_error text, p_duration_ms integer,
                                                   p_retry_in_s double precision, p_permanent boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  o pem.notification_outbox;
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  PERFORM pem.require_alert_worker(p_agent_id, 'notify');
  SELECT * INTO o FROM pem.notification_outbox WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  INSERT INTO pem.notification_attempt (outbox_id, attempt, agent_id, ok, status_code, error, duration_ms)
  VALUES (p_id, p_attempt, p_agent_id, p_ok, p_status_code, left(p_error, 2000), p_duration_ms)
  ON CONFLICT (outbox_id, attempt) DO NOTHING;
  IF NOT FOUND OR o.status <> 'pending' THEN
    RETURN o.status;
  END IF;
  IF p_ok THEN
    UPDATE pem.notification_outbox SET status = 'delivered', delivered_at = now(), last_status_code = p_status_code,
           last_error = NULL, lease_agent_id = NULL, lease_until = NULL
     WHERE id = p_id;
    RETURN 'delivered';
  END IF;
  IF o.attempts <> p_attempt OR o.lease_agent_id IS DISTINCT FROM p_agent_id THEN
    -- someone else claimed it since (our lease ran out): only the attempt is recorded
    UPDATE pem.notification_outbox SET last_status_code = p_status_code, last_error = left(p_error, 2000)
     WHERE id = p_id;
    RETURN o.status;
  END IF;
  UPDATE pem.notification_outbox
     SET status = CASE WHEN p_permanent OR o.attempts >= o.max_attempts THEN 'failed' ELSE 'pending' END,
         next_attempt_at = now() + make_interval(secs => greatest(p_retry_in_s, 0)),
         last_status_code = p_status_code, last_error = left(p_error, 2000),
         lease_agent_id = NULL, lease_until = NULL
   WHERE id = p_id
  RETURNING status INTO o.status;
  RETURN o.status;
END $$;
