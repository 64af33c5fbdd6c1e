-- A jsonb value as numeric, the values pem.jsonb_float8 reads (numbers, numeric strings, booleans
-- as 1/0; NULL otherwise) exactly as the agent sent them. The chart rollup and the series API add
-- gauge values with it: numeric addition is exact, so a sum does not depend on how the samples
-- were grouped (021_rollup_exact_sums.sql); a jsonb number is a numeric already, so this costs
-- what pem.jsonb_float8 costs. (No SET clause, so the planner inlines it.)
CREATE OR REPLACE FUNCTION pem.jsonb_number(p_value jsonb)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE pg_catalog.jsonb_typeof(p_value)
           WHEN 'number' THEN p_value::numeric
           WHEN 'string' THEN CASE WHEN (p_value #>> '{}') OPERATOR(pg_catalog.~) '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$'
                                   THEN (p_value #>> '{}')::numeric END
           WHEN 'boolean' THEN CASE WHEN p_value OPERATOR(pg_catalog.=) 'true'::jsonb THEN 1::numeric
                                    ELSE 0::numeric END
         END
$$;
