-- Records a problem of alert p_alert (locked by the caller): the alert keeps its state, its
-- schedule moves on, the problem shows in pem.alert.last_error and (when new or changed) in
-- pem.alert_problem. Returns nothing.
CREATE OR REPLACE FUNCTION pem.alert_record_problem(p_alert pem.alert, p_agent_id integer, p_kind text, p_message text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_slot record;
BEGIN
  v_slot := pem.alert_next_slot(p_alert.next_due, p_alert.interval_s);
  IF p_alert.last_error IS DISTINCT FROM p_message THEN
    INSERT INTO pem.alert_problem (alert_id, template, kind, message, agent_id)
    VALUES (p_alert.id, p_alert.template, p_kind, p_message, p_agent_id);
  END IF;
  UPDATE pem.alert SET last_error = p_message, last_error_at = now(), error_count = error_count + 1,
         evaluations = evaluations + 1, missed_slots = missed_slots + v_slot.missed, next_due = v_slot.next_due,
         last_evaluated_at = now(), last_evaluated_by = p_agent_id
   WHERE id = p_alert.id;
END $$;
