-- Readers: pem_user (read-only users of the web application), pem_admin
-- (administrators, members of pem_user) and pem_web (the web instances'
-- service role group) read the inventory, probe data, history, alerts and
-- deliveries. Secrets stay out: webhooks are read through pem.webhook_public
-- (no header values), the SMTP settings without the password column.
GRANT USAGE ON SCHEMA pem, pemdata, pemhistory TO pem_user, pem_admin, pem_web;
GRANT SELECT ON
  pem.agent, pem.server, pem.server_binding, pem.probe, pem.probe_override, pem.job, pem.ship_batch, pem.probe_log,
  pem.ingest_settings,
  pem.rollup_field, pem.alert_template, pem.alert, pem.alert_history, pem.alert_problem, pem.alert_evaluation_log,
  pem.alert_settings, pem.alerting_state, pem.agent_alert_settings, pem.email_group, pem.notification_outbox,
  pem.notification_attempt, pem.alert_overview, pem.notification_delivery, pem.alerting_problems,
  pem.webhook_public, pem.smtp_settings_public, pem.monitored_cluster, pem.deployment, pem.backend_signal
  TO pem_user, pem_admin, pem_web;
GRANT SELECT (id, enabled, host, port, security, user_name, from_address, tls_verify, tls_ca_pem, timeout_ms, updated_at)
  ON pem.smtp_settings TO pem_user, pem_admin, pem_web;
-- Latest values and history, with every daily partition of pemhistory.sample
-- (those the partition job creates later get it from the default privileges).
GRANT SELECT ON ALL TABLES IN SCHEMA pemdata, pemhistory TO pem_user, pem_admin, pem_web;
ALTER DEFAULT PRIVILEGES IN SCHEMA pemhistory GRANT SELECT ON TABLES TO pem_user, pem_admin, pem_web;
-- Agents' certificates: users and administrators, not the web instances.
GRANT SELECT ON pem.agent_certificate TO pem_user, pem_admin;
-- Enrolment tokens and agent tasks: administrators and the web instances
-- acting for them; a token's hash is never readable.
GRANT SELECT (id, name, created_by, created_at, expires_at, used_at, used_by_agent, used_from, revoked_at, revoked_by)
  ON pem.enrolment_token TO pem_admin, pem_web;
GRANT SELECT ON pem.agent_task TO pem_admin, pem_web;
-- Maintenance windows (issue 18): everyone who reads alerts sees them, and which servers and agents
-- they cover now.
GRANT SELECT ON pem.maintenance_window, pem.maintenance_overview, pem.server_maintenance, pem.agent_maintenance
  TO pem_user, pem_admin, pem_web;
GRANT EXECUTE ON FUNCTION pem.maintenance_occurrence(pem.maintenance_window, timestamptz),
  pem.maintenance_covers(pem.maintenance_window, integer, integer),
  pem.maintenance_window_for(integer, integer, timestamptz)
  TO pem_user, pem_admin, pem_web;
