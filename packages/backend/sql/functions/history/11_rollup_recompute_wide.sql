-- Replaces the rows of the 300-s and 3600-s tiers whose bucket overlaps [p_from, p_to), for
-- one (server, probe), with the sums of the 60-s rows below p_below. Returns the rows written.
CREATE OR REPLACE FUNCTION pem.rollup_recompute_wide(p_from timestamptz, p_to timestamptz, p_below timestamptz,
                                                     p_server_id integer, p_probe text)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
  w integer;
  lo timestamptz;
  hi timestamptz;
  n bigint;
  total bigint := 0;
BEGIN
  FOREACH w IN ARRAY ARRAY[300, 3600] LOOP
    lo := to_timestamp(floor(date_part('epoch', p_from) / w) * w);
    hi := to_timestamp(ceil(date_part('epoch', p_to) / w) * w);
    DELETE FROM pemhistory.rollup r
     WHERE r.server_id = p_server_id AND r.probe = p_probe AND r.width_s = w AND r.bucket >= lo AND r.bucket < hi;
    INSERT INTO pemhistory.rollup (server_id, probe, width_s, field, bucket, object, n, sum, min, max, inc, inc_s, resets)
    SELECT m.server_id, m.probe, w, m.field, to_timestamp(floor(date_part('epoch', m.bucket) / w) * w), m.object,
           sum(m.n), sum(m.sum), min(m.min), max(m.max), sum(m.inc), sum(m.inc_s), sum(m.resets)
      FROM pemhistory.rollup m
     WHERE m.server_id = p_server_id AND m.probe = p_probe AND m.width_s = 60
       AND m.bucket >= lo AND m.bucket < least(hi, p_below)
     GROUP BY 1, 2, 4, 5, 6;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
  END LOOP;
  RETURN total;
END $$;
