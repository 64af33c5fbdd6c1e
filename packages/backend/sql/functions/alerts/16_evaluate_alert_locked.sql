-- Evaluates one alert locked by the caller, as of now(), on its own: runs its template for it alone
-- (pem.alert_template_value, one EXECUTE), then moves its state (pem.alert_apply_value). Returns the
-- number of outbox rows written, or -1 when the alert has a problem (recorded). A template error is
-- caught; a statement timeout (57014) is not: it cancels the caller's whole transaction. The
-- batched path (pem.evaluate_due_alerts) comes here for the alerts whose template could not be run
-- for its whole group at once, and for thresholds out of order, so that problems are recorded with
-- the same words as before.
CREATE OR REPLACE FUNCTION pem.evaluate_alert_locked(p_alert pem.alert, p_agent_id integer, p_settings pem.alert_settings)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a pem.alert := p_alert;
  t pem.alert_template;
  v_started timestamptz := clock_timestamp();
  v_problem text;
  v_kind text := 'thresholds';
  v_value double precision;
  v_detail text;
  v_agent integer;
BEGIN
  SELECT * INTO t FROM pem.alert_template WHERE name = a.template;
  v_problem := pem.alert_thresholds_problem(a.operator, a.low, a.medium, a.high);
  IF v_problem IS NULL THEN
    v_agent := coalesce(a.agent_id, (SELECT agent_id FROM pem.server_binding WHERE server_id = a.server_id));
    BEGIN
      SELECT r.value, r.detail INTO v_value, v_detail
        FROM pem.alert_template_value(t.sql, v_agent, a.server_id, a.object, t.params || a.params) r;
    EXCEPTION WHEN OTHERS THEN
      v_kind := 'template_error';
      v_problem := format('template %L failed: %s (SQLSTATE %s)', t.name, SQLERRM, SQLSTATE);
    END;
  END IF;
  IF v_problem IS NOT NULL THEN
    PERFORM pem.alert_record_problem(a, p_agent_id, v_kind, v_problem);
    RETURN -1;
  END IF;
  RETURN pem.alert_apply_value(a, p_agent_id, p_settings, v_value, v_detail, v_started);
END $$;
