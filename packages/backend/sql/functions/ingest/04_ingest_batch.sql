-- Ingest of the rows of pg_temp.incoming_sample (sample_id bigint, server_id integer, probe text,
-- object text, collected_at timestamptz, value jsonb), filled by the caller in its transaction
-- (CREATE TEMP TABLE ... ON COMMIT DROP; COPY or INSERT), as batch p_batch_id of agent p_agent_id:
-- the rows go to pem.ingest_samples (08_ingest_samples.sql), which checks the caller, records the
-- batch (exactly once), stores what the agent may store and says what it refused. The agent itself
-- ships with pem.ingest_samples directly (one round trip, no temp table); this form serves
-- callers that stage rows first (older agents, test and benchmark loaders). Returns true when the
-- batch was recorded now, false when it was a repeat. Errors: those of pem.ingest_samples; 42P01
-- when pg_temp.incoming_sample does not exist.
CREATE OR REPLACE FUNCTION pem.ingest_batch(p_agent_id integer, p_batch_id uuid)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_stored boolean;
BEGIN
  SELECT pem.ingest_samples(p_agent_id, p_batch_id, coalesce(array_agg(i.sample_id), '{}'),
                            coalesce(array_agg(i.server_id), '{}'), coalesce(array_agg(i.probe), '{}'),
                            coalesce(array_agg(i.object), '{}'), coalesce(array_agg(i.collected_at), '{}'),
                            coalesce(array_agg(i.value), '{}'))
    INTO v_stored
    FROM pg_temp.incoming_sample i;
  RETURN v_stored;
END $$;
