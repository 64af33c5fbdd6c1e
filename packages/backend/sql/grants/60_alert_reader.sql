-- Template SQL runs as pharos_alert_reader (it owns pem.alert_template_value and pem.alert_template_values,
-- sql/functions/alerts/): probe data, history and the inventory, read only;
-- never secrets (SMTP password, webhook headers).
GRANT USAGE ON SCHEMA pem, pemdata, pemhistory TO pharos_alert_reader;
GRANT SELECT ON pemdata.latest, pemhistory.sample, pemhistory.source, pemhistory.sample_block,
  pemhistory.field_block, pem.agent, pem.server, pem.server_binding, pem.probe,
  pem.alerting_state TO pharos_alert_reader;
-- The owner's own right to call it, which the first file of this folder took away too.
GRANT EXECUTE ON FUNCTION pem.alert_template_value(text, integer, integer, text, jsonb) TO pharos_alert_reader;
GRANT EXECUTE ON FUNCTION pem.alert_template_values(text, integer[], integer[], integer[], text[], jsonb[], text) TO pharos_alert_reader;
