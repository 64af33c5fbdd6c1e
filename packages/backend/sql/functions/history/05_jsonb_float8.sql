-- A jsonb value as float8: numbers, numeric strings (bigints beyond 2^53 travel as strings),
-- booleans as 1/0; NULL otherwise. The series API reads samples with the same function.
-- (No SET clause, so the planner inlines it.)
CREATE OR REPLACE FUNCTION pem.jsonb_float8(p_value jsonb)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE pg_catalog.jsonb_typeof(p_value)
           WHEN 'number' THEN p_value::double precision
           WHEN 'string' THEN CASE WHEN (p_value #>> '{}') OPERATOR(pg_catalog.~) '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$'
                                   THEN (p_value #>> '{}')::double precision END
           WHEN 'boolean' THEN CASE WHEN p_value OPERATOR(pg_catalog.=) 'true'::jsonb THEN 1::double precision
                                    ELSE 0::double precision END
         END
$$;
