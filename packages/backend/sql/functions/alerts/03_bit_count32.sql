-- Number of set bits of a non-negative integer (bit_count() needs PostgreSQL 14).
CREATE OR REPLACE FUNCTION pem.bit_count32(p integer)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT length(replace(p::bit(32)::text, '0', ''))
$$;
