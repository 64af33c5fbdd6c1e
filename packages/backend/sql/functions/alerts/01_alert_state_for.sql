-- The state a value puts an alert in: '>' raises when value > threshold, '<' when value < threshold;
-- the highest level whose threshold is crossed wins; NULL (no data) = none.
CREATE OR REPLACE FUNCTION pem.alert_state_for(p_value double precision, p_operator text,
                                               p_low double precision, p_medium double precision, p_high double precision)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE
    WHEN p_value IS NULL THEN 'none'
    WHEN p_operator = '>' THEN CASE WHEN p_value > p_high THEN 'high' WHEN p_value > p_medium THEN 'medium'
                                    WHEN p_value > p_low THEN 'low' ELSE 'none' END
    ELSE CASE WHEN p_value < p_high THEN 'high' WHEN p_value < p_medium THEN 'medium'
              WHEN p_value < p_low THEN 'low' ELSE 'none' END
  END
$$;
