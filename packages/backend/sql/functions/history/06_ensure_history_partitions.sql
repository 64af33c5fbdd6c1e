-- Creates the daily (UTC) partitions of pemhistory.sample from today to
-- today + days_ahead, and the partition of every day that has rows in the
-- default partition (samples collected before their partition existed, e.g.
-- shipped late by an agent that was cut off): those rows are moved into it.
-- When something is to be created, the history table is first locked
-- against writes (SHARE ROW EXCLUSIVE, then ACCESS EXCLUSIVE by CREATE/ATTACH,
-- in that order so concurrent ingest waits instead of deadlocking), so no row
-- lands in the default partition between the check and the creation.
-- Returns the number of partitions created.
CREATE OR REPLACE FUNCTION pem.ensure_history_partitions(days_ahead integer DEFAULT 7)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
  d date;
  n integer := 0;
  part text;
  days date[];
BEGIN
  SELECT array_agg(g::date ORDER BY g) INTO days
    FROM generate_series(current_date, current_date + days_ahead, interval '1 day') AS g
   WHERE to_regclass('pemhistory.sample_' || to_char(g, 'YYYYMMDD')) IS NULL;
  IF days IS NULL AND NOT EXISTS (SELECT 1 FROM pemhistory.sample_default) THEN
    RETURN 0;
  END IF;
  LOCK TABLE pemhistory.sample IN SHARE ROW EXCLUSIVE MODE;
  FOR d IN
    SELECT g::date FROM generate_series(current_date, current_date + days_ahead, interval '1 day') AS g
    UNION
    SELECT DISTINCT (s.collected_at AT TIME ZONE 'UTC')::date FROM pemhistory.sample_default s
    ORDER BY 1
  LOOP
    part := 'sample_' || to_char(d, 'YYYYMMDD');
    CONTINUE WHEN to_regclass('pemhistory.' || part) IS NOT NULL;
    IF EXISTS (SELECT 1 FROM pemhistory.sample_default s
                WHERE s.collected_at >= d::timestamptz AND s.collected_at < (d + 1)::timestamptz) THEN
      EXECUTE format('CREATE TABLE pemhistory.%I (LIKE pemhistory.sample INCLUDING DEFAULTS)', part);
      EXECUTE format('WITH m AS (DELETE FROM pemhistory.sample_default WHERE collected_at >= %L AND collected_at < %L'
                     ' RETURNING *) INSERT INTO pemhistory.%I SELECT * FROM m',
                     d::timestamptz, (d + 1)::timestamptz, part);
      EXECUTE format('ALTER TABLE pemhistory.sample ATTACH PARTITION pemhistory.%I FOR VALUES FROM (%L) TO (%L)',
                     part, d::timestamptz, (d + 1)::timestamptz);
    ELSE
      EXECUTE format('CREATE TABLE pemhistory.%I PARTITION OF pemhistory.sample FOR VALUES FROM (%L) TO (%L)',
                     part, d::timestamptz, (d + 1)::timestamptz);
    END IF;
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;
