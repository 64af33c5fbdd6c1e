-- Compacts the closed UTC day p_day of pemhistory.sample (its partition sample_YYYYMMDD) into
-- pemhistory.source / sample_block / field_block (migrations/019_history_blocks.sql): the
-- day's hot rows, together with the blocks already kept for the same sources that day (a late
-- sample of a compacted day is folded in), become one sample_block per source and one
-- field_block per source and field. Then it decodes the new blocks by the rules of
-- pem.history_block_samples and checks that they give back exactly what they were made of (each
-- sample's time to the microsecond, sample_id and non-object value, each field's JSON text at
-- each place: so every row comes back with every column, value as the same jsonb text; raises
-- and rolls back otherwise), and empties the partition (TRUNCATE: the partition stays, for
-- late samples, until retention drops it), all in the caller's transaction: a sample is
-- either a row or in a block, never both, never neither. Concurrent ingest of that day waits
-- (SHARE ROW EXCLUSIVE lock on the partition, taken first; a second compaction of the same day
-- waits too and then finds nothing to do). p_max_samples bounds the work of one call: the
-- (server, probe) pairs are taken in index order until their hot rows add up to it (at least
-- one pair), found through the (server_id, probe, collected_at) index, so a call reads only its
-- own pairs' rows whatever the size of the day; their rows are deleted from the partition, and
-- the partition is emptied by TRUNCATE when no pair is left (NULL: all at once). Set-based:
-- a fixed number of statements per call, whatever the number of sources. Returns the samples
-- compacted (0: the day has no partition or no hot row). Errors: 22023 when the day ended less
-- than p_grace ago; P0001 when the check fails.
CREATE OR REPLACE FUNCTION pem.compact_history_day(p_day date, p_grace interval DEFAULT interval '6 hours',
                                                   p_max_samples bigint DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
  SET extra_float_digits = 1 SET jit = off SET work_mem = '64MB' AS $$
DECLARE
  part text := 'sample_' || to_char(p_day, 'YYYYMMDD');
  v_from timestamptz := p_day::timestamptz;
  v_to timestamptz := (p_day + 1)::timestamptz;
  v_rows bigint;
  v_bad bigint;
  t text;
  v_sources integer[];
  v_any boolean;
  v_partial boolean;
  v_old integer[];
  v_folded bigint;
  v_pairs_join text;
  v_total bigint;
  v_n bigint;
  v_server integer;
  v_probe text;
BEGIN
  IF v_to > now() - p_grace THEN
    RAISE EXCEPTION 'the history of % is still open to samples (grace %)', p_day, p_grace USING ERRCODE = '22023';
  END IF;
  IF to_regclass('pemhistory.' || part) IS NULL THEN
    RETURN 0;
  END IF;
  EXECUTE format('LOCK TABLE pemhistory.%I IN SHARE ROW EXCLUSIVE MODE', part);
  -- a second call in the same transaction: the first one's work tables
  FOR t IN SELECT unnest(ARRAY['compact_pairs', 'compact_rows', 'compact_pos', 'compact_fields', 'compact_series', 'compact_values',
                               'compact_check', 'compact_rows']) LOOP
    IF to_regclass('pg_temp.' || t) IS NOT NULL THEN
      EXECUTE format('DROP TABLE pg_temp.%I', t);
    END IF;
  END LOOP;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM pemhistory.%I)', part) INTO v_any;
  IF NOT v_any THEN
    RETURN 0;
  END IF;
  FOR t IN SELECT unnest(ARRAY['sample_block', 'field_block']) LOOP
    IF to_regclass(format('pemhistory.%s_%s', t, to_char(p_day, 'YYYYMMDD'))) IS NULL THEN
      EXECUTE format('CREATE TABLE pemhistory.%I PARTITION OF pemhistory.%I FOR VALUES FROM (%L) TO (%L)'
                     ' WITH (toast_tuple_target = 128)',
                     t || '_' || to_char(p_day, 'YYYYMMDD'), t, v_from, v_to);
    END IF;
  END LOOP;
  -- the (server, probe) pairs of this call, by the budget: walked in index order
  -- ((server_id, probe, collected_at) of migration 001, one probe per pair, a "loose index scan"),
  -- so that a call reads its own pairs' rows only, not the whole day's
  CREATE TEMP TABLE compact_pairs (server_id integer, probe text, n bigint) ON COMMIT DROP;
  IF p_max_samples IS NULL THEN
    v_partial := false;
    v_pairs_join := format('pemhistory.%I h', part);
  ELSE
    v_total := 0;
    EXECUTE format('SELECT server_id, probe FROM pemhistory.%I ORDER BY server_id, probe LIMIT 1', part)
      INTO v_server, v_probe;
    WHILE v_server IS NOT NULL AND v_total < p_max_samples LOOP
      EXECUTE format('SELECT count(*) FROM pemhistory.%I WHERE server_id = $1 AND probe = $2', part)
        INTO v_n USING v_server, v_probe;
      INSERT INTO compact_pairs VALUES (v_server, v_probe, v_n);
      v_total := v_total + v_n;
      EXECUTE format('SELECT server_id, probe FROM pemhistory.%I WHERE (server_id, probe) > ($1, $2)
                       ORDER BY server_id, probe LIMIT 1', part)
        INTO v_server, v_probe USING v_server, v_probe;
    END LOOP;
    v_partial := v_server IS NOT NULL;
    ANALYZE compact_pairs;
    v_pairs_join := format('compact_pairs p JOIN pemhistory.%I h ON h.server_id = p.server_id AND h.probe = p.probe',
                           part);
  END IF;
  EXECUTE format('INSERT INTO pemhistory.source (agent_id, server_id, probe, object)
    SELECT DISTINCT h.agent_id, h.server_id, h.probe, h.object FROM %s
    ON CONFLICT DO NOTHING', v_pairs_join);
  -- the sources of these pairs that already have a block of the day and hot rows again (late
  -- samples): their blocks are decoded and folded in
  EXECUTE format('SELECT array_agg(b.source_id), coalesce(sum(b.n), 0) FROM pemhistory.sample_block b
      JOIN pemhistory.source s ON s.id = b.source_id
     WHERE b.block_start = $1 AND %s
       AND EXISTS (SELECT 1 FROM pemhistory.%I h WHERE h.server_id = s.server_id AND h.probe = s.probe
                      AND h.object = s.object AND h.agent_id = s.agent_id)',
    CASE WHEN v_partial THEN '(s.server_id, s.probe) IN (SELECT server_id, probe FROM compact_pairs)' ELSE 'true' END,
    part) INTO v_old, v_folded USING v_from;
  -- the rows, each with its source and its place i in the source's (collected_at, sample_id) order
  EXECUTE format('CREATE TEMP TABLE compact_pos ON COMMIT DROP AS
    SELECT r.source_id, r.sample_id, r.collected_at, r.value, row_number() OVER w AS i,
           jsonb_typeof(r.value) = %L AS obj
      FROM (SELECT s.id AS source_id, h.sample_id, h.collected_at, h.value
              FROM %s JOIN pemhistory.source s
                ON s.agent_id = h.agent_id AND s.server_id = h.server_id AND s.probe = h.probe AND s.object = h.object
            %s) r
    WINDOW w AS (PARTITION BY r.source_id ORDER BY r.collected_at, r.sample_id)',
    'object', v_pairs_join,
    CASE WHEN v_old IS NULL THEN ''
         ELSE format('UNION ALL
            SELECT s.id, c.sample_id, c.collected_at, c.value
              FROM pem.history_block_samples(NULL, NULL, %L, %L, NULL, %L) c
              JOIN pemhistory.source s
                ON s.agent_id = c.agent_id AND s.server_id = c.server_id AND s.probe = c.probe AND s.object = c.object',
                     v_from, v_to, v_old) END);
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  v_rows := v_rows - v_folded;
  IF v_old IS NOT NULL THEN
    DELETE FROM pemhistory.sample_block b WHERE b.source_id = ANY (v_old) AND b.block_start = v_from;
    DELETE FROM pemhistory.field_block b WHERE b.source_id = ANY (v_old) AND b.block_start = v_from;
  END IF;
  -- the samples' times (us since the day's start) and sample_ids as deltas from the previous sample's
  INSERT INTO pemhistory.sample_block (source_id, block_start, n, t, sid, other)
  SELECT source_id, v_from, count(*),
         array_agg(dt ORDER BY i), array_agg(ds ORDER BY i),
         CASE WHEN bool_and(obj) THEN NULL ELSE array_agg(CASE WHEN obj THEN NULL ELSE value END ORDER BY i) END
    FROM (SELECT p.source_id, p.i, p.value, p.obj,
                 round(extract(epoch FROM p.collected_at - v_from) * 1000000)::bigint
                 - coalesce(round(extract(epoch FROM lag(p.collected_at) OVER w - v_from) * 1000000)::bigint, 0) AS dt,
                 p.sample_id - coalesce(lag(p.sample_id) OVER w, 0) AS ds
            FROM compact_pos p WINDOW w AS (PARTITION BY p.source_id ORDER BY p.i)) q
   GROUP BY source_id;
  -- the fields of the samples that are objects; k: the number, when the field is one
  CREATE TEMP TABLE compact_fields ON COMMIT DROP AS
  SELECT p.source_id, p.i, f.key AS field, f.value AS j,
         CASE WHEN jsonb_typeof(f.value) = 'number' THEN (f.value)::numeric END AS k
    FROM compact_pos p CROSS JOIN LATERAL jsonb_each(p.value) f
   WHERE p.obj;
  -- each series' encoding (migration 019): 0 when every value's JSON text is an integer's
  -- (display scale 0: the numeric's text is the bigint's), 3 when it is a number of at most
  -- 3 decimals written without trailing zeros (the text of trim_scale(round(x × 1000) / 1000)),
  -- -1 when float8 gives back its JSON text (tried only where neither fits: text conversions are
  -- the expensive part), else NULL (the JSON values kept); cnt < n: some samples lack the field
  CREATE TEMP TABLE compact_series ON COMMIT DROP AS
  SELECT c.source_id, c.field, count(*) AS cnt,
         CASE WHEN count(c.k) < count(*) THEN NULL
              WHEN bool_and(scale(c.k) = 0 AND abs(c.k) < 2 ^ 52) THEN 0
              WHEN bool_and(scale(c.k) <= 3 AND scale(c.k) = min_scale(c.k) AND abs(c.k) * 1000 < 2 ^ 52) THEN 3
              ELSE -2 END::smallint AS scale
    FROM compact_fields c GROUP BY 1, 2;
  IF EXISTS (SELECT 1 FROM compact_series WHERE scale = -2) THEN
    UPDATE compact_series g SET scale = x.scale
      FROM (SELECT c.source_id, c.field,
                   CASE WHEN bool_and(to_jsonb(c.k::float8)::text = c.j::text) THEN -1 END::smallint AS scale
              FROM compact_fields c JOIN compact_series g2 USING (source_id, field)
             WHERE g2.scale = -2 GROUP BY 1, 2) x
     WHERE g.source_id = x.source_id AND g.field = x.field;
  END IF;
  ANALYZE compact_series;
  -- the values in place (deltas from the previous value present, for scales 0 and 3), in place
  -- order; a series some samples lack (cnt < n) gets a NULL at each of their places
  INSERT INTO pemhistory.field_block (source_id, block_start, field, scale, v, j)
  SELECT x.source_id, v_from, x.field, min(x.scale),
         CASE WHEN min(x.scale) IS NOT NULL THEN array_agg(x.v ORDER BY x.i) END,
         CASE WHEN min(x.scale) IS NULL THEN array_agg(x.j ORDER BY x.i) END
    FROM (SELECT c.source_id, c.field, c.i, g.scale, CASE WHEN g.scale IS NULL THEN c.j END AS j,
                 CASE g.scale WHEN 0 THEN coalesce(c.k - lag(c.k) OVER w, c.k)
                              WHEN 3 THEN coalesce(c.k - lag(c.k) OVER w, c.k) * 1000
                              WHEN -1 THEN c.k END::float8 AS v
            FROM compact_fields c JOIN compact_series g USING (source_id, field)
          WINDOW w AS (PARTITION BY c.source_id, c.field ORDER BY c.i)
          UNION ALL
          SELECT g.source_id, g.field, p.i, g.scale, NULL, NULL
            FROM compact_series g
            JOIN pemhistory.sample_block b ON b.source_id = g.source_id AND b.block_start = v_from AND g.cnt < b.n
            JOIN compact_pos p ON p.source_id = g.source_id
           WHERE NOT (p.obj AND p.value ? g.field)) x
   GROUP BY x.source_id, x.field;
  -- the check: the new blocks, decoded by the rules of pem.history_block_samples (the same
  -- expressions), give back what they were made of: each sample's time, sample_id and value
  -- when not an object, and each field's JSON text at each place (so each object, whose jsonb
  -- text is that of its keys and values, comes back as the same text)
  v_sources := ARRAY(SELECT DISTINCT source_id FROM compact_pos);
  SELECT count(*) INTO v_bad FROM (
    (SELECT source_id, i, collected_at, sample_id, CASE WHEN obj THEN NULL ELSE value::text END AS other
       FROM compact_pos
     EXCEPT ALL
     SELECT b.source_id, u.i, b.block_start + (sum(u.dt) OVER w) * interval '1 microsecond',
            (sum(u.ds) OVER w)::bigint, (b.other[u.i])::text
       FROM pemhistory.sample_block b
       CROSS JOIN LATERAL ROWS FROM (unnest(b.t), unnest(b.sid)) WITH ORDINALITY AS u(dt, ds, i)
      WHERE b.block_start = v_from AND b.source_id = ANY (v_sources)
     WINDOW w AS (PARTITION BY b.source_id ORDER BY u.i))
    UNION ALL
    (SELECT b.source_id, u.i, b.block_start + (sum(u.dt) OVER w) * interval '1 microsecond',
            (sum(u.ds) OVER w)::bigint, (b.other[u.i])::text
       FROM pemhistory.sample_block b
       CROSS JOIN LATERAL ROWS FROM (unnest(b.t), unnest(b.sid)) WITH ORDINALITY AS u(dt, ds, i)
      WHERE b.block_start = v_from AND b.source_id = ANY (v_sources)
     WINDOW w AS (PARTITION BY b.source_id ORDER BY u.i)
     EXCEPT ALL
     SELECT source_id, i, collected_at, sample_id, CASE WHEN obj THEN NULL ELSE value::text END FROM compact_pos)) x;
  SELECT v_bad + count(*) INTO v_bad
    FROM (SELECT f.source_id, u.i, f.field,
                 (CASE WHEN f.v IS NULL THEN u.jv
                       WHEN f.scale = 0 THEN to_jsonb((sum(u.x) OVER w)::bigint)
                       WHEN f.scale = 3 THEN to_jsonb(trim_scale((sum(u.x) OVER w)::bigint::numeric / 1000))
                       ELSE to_jsonb(u.x) END)::text AS j
            FROM pemhistory.field_block f
            CROSS JOIN LATERAL ROWS FROM (unnest(f.v), unnest(f.j)) WITH ORDINALITY AS u(x, jv, i)
           WHERE f.block_start = v_from AND f.source_id = ANY (v_sources) AND (u.x IS NOT NULL OR u.jv IS NOT NULL)
          WINDOW w AS (PARTITION BY f.source_id, f.field ORDER BY u.i)) d
    FULL JOIN compact_fields c ON c.source_id = d.source_id AND c.field = d.field AND c.i = d.i
   WHERE c.j::text IS DISTINCT FROM d.j;
  IF v_bad > 0 THEN
    RAISE EXCEPTION 'compaction of % would change % samples; nothing done', p_day, v_bad;
  END IF;
  IF v_partial THEN
    EXECUTE format('DELETE FROM pemhistory.%I h USING compact_pairs p WHERE h.server_id = p.server_id AND h.probe = p.probe',
                   part);
  ELSE
    EXECUTE format('TRUNCATE pemhistory.%I', part);
  END IF;
  INSERT INTO pemhistory.compacted_day AS d (day, samples) VALUES (p_day, v_rows)
  ON CONFLICT (day) DO UPDATE SET compacted_at = now(), samples = d.samples + excluded.samples;
  RETURN v_rows;
END $$;
