-- Every alert with its template, object names and current problem.
CREATE OR REPLACE VIEW pem.alert_overview AS
SELECT al.id, al.template, t.level, t.description, t.unit, al.agent_id, al.server_id,
       coalesce(al.agent_id, b.agent_id) AS monitoring_agent_id, ag.display_name AS agent_name,
       s.display_name AS server_name, al.object,
       al.enabled, al.state, al.previous_state, al.changed_at, al.raised_at, al.cleared_at,
       al.operator, al.low, al.medium, al.high, al.interval_s, al.params, t.params AS template_params,
       al.notify_webhooks, al.notify_email, al.email_group_id, al.reminder_s, al.flap_detection, al.flapping,
       al.last_value, al.last_detail, al.last_evaluated_at, al.last_eval_ms, al.next_due, al.evaluations,
       al.missed_slots, al.last_error, al.last_error_at, al.error_count,
       pem.alert_thresholds_problem(al.operator, al.low, al.medium, al.high) AS thresholds_problem,
       al.acknowledged_at, al.acknowledged_by, al.ack_note, al.is_default, al.log_evaluations
  FROM pem.alert al
  JOIN pem.alert_template t ON t.name = al.template
  LEFT JOIN pem.server s ON s.id = al.server_id
  LEFT JOIN pem.server_binding b ON b.server_id = al.server_id
  LEFT JOIN pem.agent ag ON ag.id = coalesce(al.agent_id, b.agent_id);
