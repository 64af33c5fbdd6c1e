-- A jsonb number, or a string of digits (bigints beyond 2^53 travel as strings), as numeric; NULL otherwise.
CREATE OR REPLACE FUNCTION pem.jsonb_numeric(p_value jsonb)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE jsonb_typeof(p_value)
           WHEN 'number' THEN (p_value #>> '{}')::numeric
           WHEN 'string' THEN CASE WHEN (p_value #>> '{}') ~ '^-?[0-9]+(\.[0-9]+)?$' THEN (p_value #>> '{}')::numeric END
         END
$$;
