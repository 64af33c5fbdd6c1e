-- Puts a failed notification back in the queue for one more round of attempts. Returns true when it did.
CREATE OR REPLACE FUNCTION pem.requeue_notification(p_id bigint)
RETURNS boolean LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH u AS (
    UPDATE pem.notification_outbox SET status = 'pending', next_attempt_at = now(),
           max_attempts = attempts + greatest(1, max_attempts), lease_agent_id = NULL, lease_until = NULL
     WHERE id = p_id AND status = 'failed' RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM u)
$$;
