-- Claims up to p_limit due alerts (enabled, next_due <= now(); p_alert_id: only that one) that no
-- other transaction holds, evaluates them and records the outcome, all in the caller's transaction.
-- Call it from an agent allowed to evaluate (pem.alert_worker_settings); errors: 42501 otherwise.
-- Returns the number evaluated, how many had a problem, the outbox rows written, and whether the
-- batch was full (more may be due).
--
-- Batched (docs/alerts.md, "Evaluation"): the claimed alerts are grouped by template, and each
-- template runs once for its whole group (pem.alert_template_values: one statement, one plan, under
-- the template's plan_cache_mode); the
-- quiet alerts (same state, nothing to record or tell) are written by one UPDATE; then each other
-- alert, in due order, moves its state with its value (pem.alert_apply_value). Alerts with
-- thresholds out of order, every alert of a group whose statement failed (one bad template, or one
-- alert's data it cannot take, stops only its own group) and alerts whose row the batch could not
-- read as a value are evaluated one by one (pem.evaluate_alert_locked), which records each problem
-- as the per-alert path always did. A statement timeout (57014) is not caught: it cancels the
-- batch (src/alerts/evaluate.ts then goes one by one).
CREATE OR REPLACE FUNCTION pem.evaluate_due_alerts(p_agent_id integer, p_limit integer DEFAULT 100,
                                                   p_alert_id integer DEFAULT NULL)
RETURNS TABLE (evaluated integer, problems integer, notifications integer, more boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  st pem.alert_settings;
  v_due pem.alert[];
  a pem.alert;
  g record;
  v jsonb;
  v_values jsonb := '{}';
  v_group jsonb;
  v_quiet jsonb;
  v_t0 timestamptz;
  r integer;
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  PERFORM pem.require_alert_worker(p_agent_id, 'evaluate');
  SELECT * INTO st FROM pem.alert_settings WHERE id;
  PERFORM pem.alerting_tick(st.backend_gap_s);
  evaluated := 0;
  problems := 0;
  notifications := 0;
  SELECT coalesce(array_agg(s.al ORDER BY (s.al).next_due, (s.al).id), '{}') INTO v_due
    FROM (SELECT al FROM pem.alert al
           WHERE al.enabled AND al.next_due <= now() AND (p_alert_id IS NULL OR al.id = p_alert_id)
           ORDER BY al.next_due, al.id
           LIMIT p_limit
           FOR UPDATE SKIP LOCKED) s;

  -- values: alert id -> [value, detail, ms of its share of the group's statement]
  FOR g IN
    SELECT t.sql, t.plan_cache_mode, count(*) AS n, array_agg(x.id) AS ids, array_agg(coalesce(x.agent_id, b.agent_id)) AS agents,
           array_agg(x.server_id) AS servers, array_agg(x.object) AS objects, array_agg(t.params || x.params) AS params
      FROM unnest(v_due) x
      JOIN pem.alert_template t ON t.name = x.template
      LEFT JOIN pem.server_binding b ON b.server_id = x.server_id
     WHERE pem.alert_thresholds_problem(x.operator, x.low, x.medium, x.high) IS NULL
     GROUP BY t.name, t.sql, t.plan_cache_mode
  LOOP
    v_t0 := clock_timestamp();
    BEGIN
      SELECT jsonb_object_agg(tv.id, jsonb_build_array(tv.value, tv.detail)) FILTER (WHERE tv.ok) INTO v_group
        FROM pem.alert_template_values(g.sql, g.ids, g.agents, g.servers, g.objects, g.params,
                                           g.plan_cache_mode) tv;
    EXCEPTION WHEN OTHERS THEN
      v_group := NULL;  -- its alerts go one by one below
    END;
    IF v_group IS NOT NULL THEN
      SELECT v_values || jsonb_object_agg(e.key, e.value || to_jsonb(extract(epoch FROM clock_timestamp() - v_t0) * 1000 / g.n))
        INTO v_values FROM jsonb_each(v_group) e;
    END IF;
  END LOOP;

  -- quiet alerts, most of them: a value, the same state, no flapping event, no reminder due, nothing
  -- held by a maintenance window, no evaluation log. pem.alert_apply_value would write only their
  -- row, so one UPDATE does it for all of them, with the same expressions (a 0 joins flap_bits).
  WITH quiet AS (
    SELECT x.id, x.next_due, x.interval_s, (v_values -> x.id::text) AS v,
           (x.flap_bits << 1) & ((1 << st.flap_window) - 1) AS bits
      FROM unnest(v_due) x
     WHERE v_values ? x.id::text
       AND NOT x.maintenance_held AND NOT x.log_evaluations
       AND pem.alert_state_for((v_values -> x.id::text ->> 0)::double precision, x.operator, x.low, x.medium, x.high)
           = x.state
       AND NOT (x.state <> 'none' AND x.reminder_s > 0 AND x.acknowledged_at IS NULL
                AND coalesce(x.last_notified_at, x.changed_at) + make_interval(secs => x.reminder_s) <= now())
  ), done AS (
    UPDATE pem.alert al SET
        last_value = (q.v ->> 0)::double precision, last_detail = q.v ->> 1,
        last_evaluated_at = now(), last_evaluated_by = p_agent_id, last_eval_ms = (q.v ->> 2)::double precision,
        evaluations = al.evaluations + 1, missed_slots = al.missed_slots + s.missed, next_due = s.next_due,
        last_error = NULL,
        flap_bits = q.bits, flap_seen = least(al.flap_seen + 1, st.flap_window)
      FROM quiet q CROSS JOIN LATERAL pem.alert_next_slot(q.next_due, q.interval_s) s
     WHERE al.id = q.id
       AND NOT (al.flap_detection AND NOT al.flapping
                AND pem.bit_count32(q.bits)::double precision / st.flap_window >= st.flap_start_ratio)
       AND NOT (al.flapping AND (NOT al.flap_detection
                                 OR pem.bit_count32(q.bits)::double precision / st.flap_window <= st.flap_stop_ratio))
    RETURNING al.id
  )
  SELECT coalesce(jsonb_object_agg(d.id, true), '{}') INTO v_quiet FROM done d;

  FOREACH a IN ARRAY v_due LOOP
    v := v_values -> a.id::text;
    IF v_quiet ? a.id::text THEN
      r := 0;
    ELSIF v IS NULL THEN
      r := pem.evaluate_alert_locked(a, p_agent_id, st);
    ELSE
      r := pem.alert_apply_value(a, p_agent_id, st, (v ->> 0)::double precision, v ->> 1,
                                 clock_timestamp() - make_interval(secs => (v ->> 2)::double precision / 1000));
    END IF;
    evaluated := evaluated + 1;
    IF r < 0 THEN
      problems := problems + 1;
    ELSE
      notifications := notifications + r;
    END IF;
  END LOOP;
  more := evaluated >= p_limit;
  RETURN NEXT;
END $$;
