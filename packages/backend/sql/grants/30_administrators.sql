-- Administrators (pem_admin) change the inventory, probe settings and jobs,
-- run the jobs by hand; they and the web instances acting for them (pem_web)
-- configure alerting. Alert state is written by evaluation only: on pem.alert
-- both may insert and update the configuration columns, not the state ones.
GRANT INSERT, UPDATE, DELETE ON pem.probe, pem.probe_override, pem.job, pem.alert_template TO pem_admin;
-- The fleet (issue 14) changes through functions that check what they write
-- (a binding is how an agent dials a server with the monitoring password:
-- security review M3), for administrators and the web instances acting for
-- them; enrolment, whose token is the credential, through the web only.
GRANT EXECUTE ON FUNCTION
  pem.server_add(name, text, text, integer, text, text, text, text, integer, text[], text),
  pem.server_set(name, integer, jsonb), pem.server_remove(name, integer, boolean),
  pem.cluster_add(name, text, text[], text, integer, jsonb, text[], text, integer, jsonb),
  pem.cluster_remove(name, integer, boolean),
  pem.enrolment_token_create(name, text, integer), pem.enrolment_token_revoke(name, integer),
  pem.agent_unregister(name, integer, boolean),
  pem.agent_task_request(name, integer, text, jsonb, integer), pem.agent_task_expire(bigint),
  pem.backend_signal_record(name, integer, integer, integer, text, text, text, text),
  pem.custom_probe_save(name, jsonb, boolean), pem.custom_probe_remove(name, text)
  TO pem_admin, pem_web;
GRANT EXECUTE ON FUNCTION pem.enrol_agent(text, text, inet, text, text, jsonb, name, inet) TO pem_web;
GRANT DELETE ON pem.probe_log TO pem_admin;
GRANT UPDATE (max_future_skew_s, updated_at) ON pem.ingest_settings TO pem_admin;
GRANT USAGE ON SEQUENCE pem.probe_override_id_seq TO pem_admin;
GRANT EXECUTE ON FUNCTION pem.run_due_jobs(boolean), pem.rollup_history(interval) TO pem_admin;

GRANT INSERT (template, agent_id, server_id, object, operator, low, medium, high, interval_s, params, enabled,
              notify_webhooks, notify_email, email_group_id, reminder_s, flap_detection, log_evaluations)
  ON pem.alert TO pem_admin, pem_web;
GRANT UPDATE (operator, low, medium, high, interval_s, params, enabled, notify_webhooks, notify_email,
              email_group_id, reminder_s, flap_detection, log_evaluations, acknowledged_at, acknowledged_by, ack_note)
  ON pem.alert TO pem_admin, pem_web;
GRANT DELETE ON pem.alert TO pem_admin, pem_web;
GRANT USAGE ON SEQUENCE pem.alert_id_seq TO pem_admin, pem_web;
GRANT INSERT, UPDATE, DELETE ON pem.alert_template TO pem_web;
GRANT SELECT ON pem.webhook TO pem_admin, pem_web;
GRANT INSERT, UPDATE, DELETE ON pem.webhook, pem.email_group, pem.smtp_settings, pem.agent_alert_settings
  TO pem_admin, pem_web;
GRANT UPDATE ON pem.alert_settings TO pem_admin, pem_web;
GRANT USAGE ON SEQUENCE pem.webhook_id_seq, pem.email_group_id_seq TO pem_admin, pem_web;
GRANT EXECUTE ON FUNCTION pem.check_alert_template(text, integer, integer, text, jsonb),
  pem.enqueue_test_notification(integer, integer, name), pem.requeue_notification(bigint),
  pem.bind_default_alerts(integer, integer, boolean, boolean) TO pem_admin, pem_web;
-- Maintenance windows (issue 18) start and stop through functions that check what they write, for
-- administrators and the web instances acting for them.
GRANT EXECUTE ON FUNCTION pem.maintenance_start(name, jsonb), pem.maintenance_stop(name, integer)
  TO pem_admin, pem_web;
