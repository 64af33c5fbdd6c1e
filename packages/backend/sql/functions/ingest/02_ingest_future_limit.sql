-- The latest collection (or failure) time the backend stores: now() plus
-- pem.ingest_settings.max_future_skew_s (default 300). A value stamped later comes from an agent
-- whose clock is ahead, or is forged: stored, it would stay the "latest" value until its time came,
-- hiding the real ones (e.g. server_up = 1 hiding a Server Down).
CREATE OR REPLACE FUNCTION pem.ingest_future_limit()
RETURNS timestamptz LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT now() + make_interval(secs => coalesce((SELECT s.max_future_skew_s FROM pem.ingest_settings s), 300))
$$;
