-- Functions anyone may call: pure helpers over values (rates, thresholds,
-- states, jsonb numbers), the history readers (they read with the caller's
-- rights: pemhistory is readable by the reader roles), the alert template helpers (they read
-- pemdata.latest with the caller's rights), and trigger functions (whose
-- EXECUTE privilege is checked only when the trigger is created).
GRANT EXECUTE ON FUNCTION
  pem.jsonb_numeric(jsonb), pem.counter_reset(jsonb, jsonb),
  pem.counter_rates(jsonb, jsonb, text[], double precision),
  pem.history_rates(integer, text, timestamptz, timestamptz, text), pem.jsonb_float8(jsonb), pem.jsonb_number(jsonb),
  pem.history_samples(integer, text, timestamptz, timestamptz, text[]),
  pem.history_block_samples(integer, text, timestamptz, timestamptz, text[], integer[]),
  pem.sample_rollup_late(), pem.probe_change_notify(),
  pem.alert_state_for(double precision, text, double precision, double precision, double precision),
  pem.alert_thresholds_problem(text, double precision, double precision, double precision),
  pem.bit_count32(integer), pem.alert_next_slot(timestamptz, integer), pem.alert_reschedule(),
  pem.latest_rows(integer, integer, text, double precision), pem.latest_row(integer, integer, text, double precision),
  pem.latest_column(integer, integer, text, text, double precision)
  TO PUBLIC;
