-- A value of probe p_probe cut to the overview's fields of that probe (web/contract/overview-fields.ts;
-- web/src/api/fleet-index.test.ts checks them), nulls left out; a value that is not an object, or
-- of another probe, as it is. pem.overview_refresh writes the overview rows' values with it. (No
-- SET clause, so the planner inlines it: a call costs what the expression costs; STABLE, not
-- IMMUTABLE, as jsonb_build_object is, or the planner would not inline it.)
CREATE OR REPLACE FUNCTION pem.overview_value(p_probe text, p_value jsonb)
RETURNS jsonb LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN pg_catalog.jsonb_typeof(p_value) <> 'object' THEN p_value
    WHEN p_probe = 'cpu' THEN jsonb_strip_nulls(jsonb_build_object('busy_pct', p_value -> 'busy_pct', 'idle_pct', p_value -> 'idle_pct'))
    WHEN p_probe = 'load_avg' THEN jsonb_strip_nulls(jsonb_build_object('load1', p_value -> 'load1', 'load5', p_value -> 'load5', 'load15', p_value -> 'load15'))
    WHEN p_probe = 'memory' THEN jsonb_strip_nulls(jsonb_build_object('total_bytes', p_value -> 'total_bytes', 'available_bytes', p_value -> 'available_bytes', 'used_bytes', p_value -> 'used_bytes'))
    WHEN p_probe = 'server_up' THEN jsonb_strip_nulls(jsonb_build_object('up', p_value -> 'up', 'error', p_value -> 'error'))
    WHEN p_probe = 'server_info' THEN jsonb_strip_nulls(jsonb_build_object('role', p_value -> 'role', 'in_recovery', p_value -> 'in_recovery', 'server_version', p_value -> 'server_version', 'started_at', p_value -> 'started_at', 'timeline', p_value -> 'timeline'))
    WHEN p_probe = 'connections_by_state' THEN jsonb_strip_nulls(jsonb_build_object('state', p_value -> 'state', 'connections', p_value -> 'connections'))
    WHEN p_probe = 'database_stats' THEN jsonb_strip_nulls(jsonb_build_object('xact_commit', p_value -> 'xact_commit', 'blks_hit', p_value -> 'blks_hit', 'blks_read', p_value -> 'blks_read', 'hit_ratio_pct', p_value -> 'hit_ratio_pct'))
    WHEN p_probe = 'replication_lag' THEN jsonb_strip_nulls(jsonb_build_object('lag_bytes', p_value -> 'lag_bytes', 'replay_lag_s', p_value -> 'replay_lag_s', 'broken', p_value -> 'broken'))
    ELSE p_value END
$$;
