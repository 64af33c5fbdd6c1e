-- Every stored sample of server p_server_id and probe p_probe (NULL: every server / probe) with
-- collected_at in [p_from, p_to): the hot rows of pemhistory.sample and the compacted days
-- (pem.history_block_samples), as pemhistory.sample's columns. A sample is in exactly one of
-- the two (pem.compact_history_day moves a day's rows into blocks and empties the partition in
-- one transaction; a late sample of a compacted day is a hot row until the next compaction of
-- that day), so every reader of history gets the same answer before and after compaction.
-- p_fields (NULL: all) limits the value of compacted samples to those fields (hot rows keep
-- their whole value; a reader that asks for fields reads only those). No order. Inlined by
-- the planner (LANGUAGE sql, no SET): callers' filters and LIMITs reach the indexes.
CREATE OR REPLACE FUNCTION pem.history_samples(p_server_id integer, p_probe text, p_from timestamptz,
                                               p_to timestamptz, p_fields text[] DEFAULT NULL)
RETURNS TABLE (agent_id integer, sample_id bigint, server_id integer, probe text, object text,
               collected_at timestamptz, value jsonb)
LANGUAGE sql STABLE AS $$
  SELECT h.agent_id, h.sample_id, h.server_id, h.probe, h.object, h.collected_at, h.value
    FROM pemhistory.sample h
   WHERE (p_server_id IS NULL OR h.server_id = p_server_id) AND (p_probe IS NULL OR h.probe = p_probe)
     AND h.collected_at >= p_from AND h.collected_at < p_to
  UNION ALL
  SELECT c.agent_id, c.sample_id, c.server_id, c.probe, c.object, c.collected_at, c.value
    FROM pem.history_block_samples(p_server_id, p_probe, p_from, p_to, p_fields) c
$$;
