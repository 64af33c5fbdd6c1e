-- The current rate of every counter column of every latest value: the
-- increase per second since the previous sample of the object (see
-- pem.counter_rates; `reset` says why a rate is NULL).
CREATE OR REPLACE VIEW pemdata.latest_rate AS
SELECT l.agent_id, l.server_id, l.probe, l.object, l.collected_at,
       extract(epoch FROM l.collected_at - l.prev_collected_at)::float8 AS seconds,
       l.prev_value IS NOT NULL AND pem.counter_reset(l.prev_value, l.value) AS reset,
       pem.counter_rates(l.prev_value, l.value, p.counter_columns,
                         extract(epoch FROM l.collected_at - l.prev_collected_at)::float8) AS rates
  FROM pemdata.latest l JOIN pem.probe p ON p.name = l.probe
 WHERE cardinality(p.counter_columns) > 0;
