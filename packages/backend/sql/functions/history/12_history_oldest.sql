-- Oldest collection time in pemhistory.sample (the default partition, else the oldest daily
-- partition with rows) and in the compacted days (pemhistory.sample_block), or NULL when there is no history. Reads one partition at most.
CREATE OR REPLACE FUNCTION pem.history_oldest()
RETURNS timestamptz LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  part text;
  v timestamptz;
  d timestamptz := (SELECT min(collected_at) FROM pemhistory.sample_default);
BEGIN
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'pemhistory.sample'::regclass AND c.relname ~ '^sample_[0-9]{8}$'
     ORDER BY c.relname
  LOOP
    EXECUTE format('SELECT min(collected_at) FROM pemhistory.%I', part) INTO v;
    EXIT WHEN v IS NOT NULL;
  END LOOP;
  -- the compacted days (migration 019): their oldest block's first sample
  RETURN least(d, v, (SELECT b.block_start + b.t[1] * interval '1 microsecond' FROM pemhistory.sample_block b
                       WHERE b.block_start = (SELECT min(x.block_start) FROM pemhistory.sample_block x)
                       ORDER BY b.t[1] LIMIT 1));
END $$;
