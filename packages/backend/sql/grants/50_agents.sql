-- Agents (pem_agent: every agent's database user is a member) hold no table
-- privileges: they work through these functions only, each of which checks
-- that the caller is the agent's own registered database user (the
-- certificate's CN), and the alert worker's that the agent may evaluate or
-- notify.
GRANT USAGE ON SCHEMA pem, pemdata, pemhistory TO pem_agent;
GRANT EXECUTE ON FUNCTION
  pem.agent_registration(integer), pem.agent_bindings(integer), pem.agent_heartbeat(integer, text, bigint),
  pem.agent_sync_probes(integer, jsonb), pem.agent_probe_config(integer), pem.agent_custom_probes(integer),
  pem.ingest_batch(integer, uuid),
  pem.ingest_samples(integer, uuid, bigint[], integer[], text[], text[], timestamptz[], jsonb[]),
  pem.agent_stored_batches(integer, uuid[]),
  pem.log_probe_failure(integer, integer, text, text, timestamptz, text),
  pem.log_probe_failures(integer, jsonb), pem.agent_run_jobs(integer),
  pem.alert_worker_settings(integer), pem.evaluate_due_alerts(integer, integer, integer),
  pem.due_alert_ids(integer, integer), pem.record_alert_failure(integer, integer, text),
  pem.alert_housekeeping(integer), pem.claim_notifications(integer, integer, integer),
  pem.finish_notification(integer, bigint, integer, boolean, integer, text, integer, double precision, boolean),
  pem.agent_claim_tasks(integer, integer), pem.agent_finish_task(integer, bigint, boolean, jsonb),
  pem.agent_clusters(integer), pem.agent_cluster_observed(integer, integer, jsonb, text, text)
  TO pem_agent;
