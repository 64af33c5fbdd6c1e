-- Moves alert p_alert (locked by the caller, its thresholds in order) to the state its template's
-- value p_value (NULL: no data) puts it in, as of now(): damps flapping, writes history and outbox
-- rows, advances next_due; p_detail is the template's detail, p_started when its evaluation began
-- (pem.alert.last_eval_ms). Returns the number of outbox rows written. Called by
-- pem.evaluate_alert_locked (one alert) and pem.evaluate_due_alerts (values of a batch).
-- Maintenance windows (docs/maintenance.md): while one covers the alert's object
-- (pem.maintenance_window_for), a notification it would send is withheld: the change is recorded
-- in pem.alert_history with notified false and the window's id, no outbox row is written, and
-- pem.alert.maintenance_held is set; a withheld notification is never sent later. At the first
-- evaluation no window covers it any more, an alert still raised (and not flapping) with
-- maintenance_held sends one notification of its state (raised, changed or reminder, as against
-- the last one sent), and the flag is cleared in the same transaction as the outbox row: exactly
-- once, across worker restarts and switchovers (the flag and event_seq live in pem; a re-made
-- notification after a lost commit has the same idempotency key).
CREATE OR REPLACE FUNCTION pem.alert_apply_value(p_alert pem.alert, p_agent_id integer, p_settings pem.alert_settings,
                                                 p_value double precision, p_detail text, p_started timestamptz)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a pem.alert := p_alert;
  v_value double precision := p_value;
  v_detail text := p_detail;
  v_new text;
  v_changed boolean;
  v_bits integer;
  v_seen integer;
  v_ratio double precision;
  v_flapping boolean;
  v_flap_event text;
  v_event text;
  v_level text;
  v_seq bigint := a.event_seq;
  v_raised timestamptz := a.raised_at;
  v_slot record;
  v_window integer;
  v_held boolean := a.maintenance_held;
  v_old_notified text; -- set when the notification is the one after a window: the state last notified
  n integer := 0;
BEGIN
  v_new := pem.alert_state_for(v_value, a.operator, a.low, a.medium, a.high);
  v_changed := v_new <> a.state;
  -- flapping: share of the last flap_window evaluations that raised or cleared the alert (moving
  -- between low, medium and high is escalation, not flapping)
  v_bits := ((a.flap_bits << 1) | ((a.state = 'none') <> (v_new = 'none'))::integer)
            & ((1 << p_settings.flap_window) - 1);
  v_seen := least(a.flap_seen + 1, p_settings.flap_window);
  v_ratio := pem.bit_count32(v_bits)::double precision / p_settings.flap_window;
  v_flapping := a.flapping;
  IF a.flap_detection AND NOT a.flapping AND v_ratio >= p_settings.flap_start_ratio THEN
    v_flapping := true;
    v_flap_event := 'flapping_started';
  ELSIF a.flapping AND (NOT a.flap_detection OR v_ratio <= p_settings.flap_stop_ratio) THEN
    v_flapping := false;
    v_flap_event := 'flapping_stopped';
  END IF;

  IF v_changed AND a.state = 'none' THEN
    v_raised := now();
  END IF;
  IF v_flap_event IS NOT NULL THEN
    v_event := v_flap_event;
  ELSIF v_flapping THEN
    v_event := NULL; -- damped: recorded in the history, not notified
  ELSIF v_changed THEN
    v_event := CASE WHEN a.state = 'none' THEN 'raised' WHEN v_new = 'none' THEN 'cleared' ELSE 'changed' END;
  ELSIF v_new <> 'none' AND a.reminder_s > 0 AND a.acknowledged_at IS NULL
        AND coalesce(a.last_notified_at, a.changed_at) + make_interval(secs => a.reminder_s) <= now() THEN
    v_event := 'reminder';
  END IF;

  IF v_event IS NOT NULL OR a.maintenance_held THEN
    v_window := pem.maintenance_window_for(a.agent_id, a.server_id, now());
    IF v_window IS NOT NULL THEN
      v_held := a.maintenance_held OR v_event IS NOT NULL;
      v_event := NULL;
    ELSIF v_event IS NULL THEN
      -- held, and no window any more: tell the state once if still raised, else nothing to tell
      IF v_new <> 'none' AND NOT v_flapping THEN
        v_event := CASE WHEN coalesce(a.last_notified_state, 'none') = 'none' THEN 'raised'
                        WHEN a.last_notified_state = v_new THEN 'reminder' ELSE 'changed' END;
        v_old_notified := coalesce(a.last_notified_state, 'none');
        v_held := false;
      ELSIF v_new = 'none' THEN
        v_held := false;
      END IF;
    ELSE
      v_held := false;
    END IF;
  END IF;

  IF v_changed OR v_flap_event IS NOT NULL THEN
    INSERT INTO pem.alert_history (alert_id, event, old_state, new_state, value, detail, threshold, flapping,
                                   notified, agent_id, maintenance_id)
    VALUES (a.id,
            coalesce(v_flap_event, CASE WHEN a.state = 'none' THEN 'raised' WHEN v_new = 'none' THEN 'cleared'
                                        ELSE 'changed' END),
            a.state, v_new, v_value, v_detail,
            CASE v_new WHEN 'high' THEN a.high WHEN 'medium' THEN a.medium WHEN 'low' THEN a.low END,
            v_flapping, v_event IS NOT NULL, p_agent_id, v_window);
  END IF;

  IF v_event IS NOT NULL THEN
    v_seq := v_seq + 1;
    v_level := CASE WHEN v_new = 'none' THEN 'cleared' ELSE v_new END;
    n := pem.enqueue_alert_event(a.id, v_event, v_level, v_new, v_seq,
           pem.alert_context(a.id, v_event,
                             CASE WHEN v_old_notified IS NOT NULL THEN v_old_notified
                                  WHEN v_event = 'reminder' THEN a.previous_state ELSE a.state END,
                             v_new, v_value, v_detail, v_flapping, v_raised, v_seq));
  END IF;

  v_slot := pem.alert_next_slot(a.next_due, a.interval_s);
  IF a.log_evaluations THEN
    INSERT INTO pem.alert_evaluation_log (alert_id, due_at, evaluated_at, agent_id, value, state)
    VALUES (a.id, a.next_due, clock_timestamp(), p_agent_id, v_value, v_new);
  END IF;
  UPDATE pem.alert SET
      state = v_new,
      previous_state = CASE WHEN v_changed THEN a.state ELSE previous_state END,
      changed_at = CASE WHEN v_changed THEN now() ELSE changed_at END,
      raised_at = v_raised,
      cleared_at = CASE WHEN v_changed AND v_new = 'none' THEN now() ELSE cleared_at END,
      acknowledged_at = CASE WHEN v_changed THEN NULL ELSE acknowledged_at END,
      acknowledged_by = CASE WHEN v_changed THEN NULL ELSE acknowledged_by END,
      ack_note = CASE WHEN v_changed THEN NULL ELSE ack_note END,
      last_value = v_value, last_detail = v_detail,
      last_evaluated_at = now(), last_evaluated_by = p_agent_id,
      last_eval_ms = extract(epoch FROM clock_timestamp() - p_started) * 1000,
      evaluations = evaluations + 1, missed_slots = missed_slots + v_slot.missed, next_due = v_slot.next_due,
      last_error = NULL,
      flap_bits = v_bits, flap_seen = v_seen, flapping = v_flapping,
      event_seq = v_seq,
      maintenance_held = v_held,
      last_notified_at = CASE WHEN v_event IS NOT NULL THEN now() ELSE last_notified_at END,
      last_notified_state = CASE WHEN v_event IS NOT NULL THEN v_new ELSE last_notified_state END
   WHERE id = a.id;
  RETURN n;
END $$;
