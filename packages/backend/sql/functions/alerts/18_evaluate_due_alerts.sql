-- Claims up to p_limit due alerts (enabled, next_due <= now(); p_alert_id: only that one) that no
-- other transaction holds, evaluates them and records the outcome, all in the caller's transaction.
-- Call it from an agent allowed to evaluate (pem.alert_worker_settings); errors: 42501 otherwise.
-- Returns the number evaluated, how many had a problem, the outbox rows written, and whether the
-- batch was full (more may be due).
--
-- Batched (docs/alerts.md, "Evaluation"): the claimed alerts are grouped by template, and each
-- template runs once for its whole group (pem.alert_template_values: one statement, one plan); then
-- each alert, in due order, moves its state with its value (pem.alert_apply_value). Alerts with
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
    SELECT t.sql, count(*) AS n, array_agg(x.id) AS ids, array_agg(coalesce(x.agent_id, b.agent_id)) AS agents,
           array_agg(x.server_id) AS servers, array_agg(x.object) AS objects, array_agg(t.params || x.params) AS params
      FROM unnest(v_due) x
      JOIN pem.alert_template t ON t.name = x.template
      LEFT JOIN pem.server_binding b ON b.server_id = x.server_id
     WHERE pem.alert_thresholds_problem(x.operator, x.low, x.medium, x.high) IS NULL
     GROUP BY t.name, t.sql
  LOOP
    v_t0 := clock_timestamp();
    BEGIN
      SELECT jsonb_object_agg(tv.id, jsonb_build_array(tv.value, tv.detail)) FILTER (WHERE tv.ok) INTO v_group
        FROM pem.alert_template_values(g.sql, g.ids, g.agents, g.servers, g.objects, g.params) tv;
    EXCEPTION WHEN OTHERS THEN
      v_group := NULL;  -- its alerts go one by one below
    END;
    IF v_group IS NOT NULL THEN
      SELECT v_values || jsonb_object_agg(e.key, e.value || to_jsonb(extract(epoch FROM clock_timestamp() - v_t0) * 1000 / g.n))
        INTO v_values FROM jsonb_each(v_group) e;
    END IF;
  END LOOP;

  FOREACH a IN ARRAY v_due LOOP
    v := v_values -> a.id::text;
    IF v IS NULL THEN
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
