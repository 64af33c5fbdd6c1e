-- NULL when the thresholds suit the operator ('>': low <= medium <= high; '<': low >= medium >= high),
-- else a message naming them.
CREATE OR REPLACE FUNCTION pem.alert_thresholds_problem(p_operator text, p_low double precision,
                                                        p_medium double precision, p_high double precision)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE
    WHEN p_operator NOT IN ('>', '<') THEN format('operator %L is neither > nor <', p_operator)
    WHEN p_low IS NULL OR p_medium IS NULL OR p_high IS NULL THEN 'all three thresholds are required'
    WHEN p_operator = '>' AND NOT (p_low <= p_medium AND p_medium <= p_high)
      THEN format('thresholds out of order for operator >: low %s, medium %s, high %s (need low <= medium <= high)',
                  p_low, p_medium, p_high)
    WHEN p_operator = '<' AND NOT (p_low >= p_medium AND p_medium >= p_high)
      THEN format('thresholds out of order for operator <: low %s, medium %s, high %s (need low >= medium >= high)',
                  p_low, p_medium, p_high)
  END
$$;
