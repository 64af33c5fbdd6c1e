-- Pharos backend schema, version 19: the compact history layout chosen by the storage
-- benchmark (docs/benchmarks.md "Storage", docs/architecture.md "History storage"): the samples
-- of a closed UTC day are kept as arrays per source (agent, server, probe, object) and field,
-- one row per day, compressed by TOAST (lz4 where the server has it: PostgreSQL docs §73.2,
-- `default_toast_compression`). Written by pem.compact_history_day
-- (sql/functions/history/), run by the job 'history_compact'; read, together with the hot rows
-- of pemhistory.sample, through pem.history_samples. Lossless: every sample comes back with its
-- agent_id, sample_id, collected_at (microseconds) and its value as the same jsonb text.

-- One row per source of samples.
CREATE TABLE pemhistory.source (
  id        serial PRIMARY KEY,
  agent_id  integer NOT NULL,
  server_id integer NOT NULL,
  probe     text NOT NULL,
  object    text NOT NULL,
  UNIQUE (server_id, probe, object, agent_id)
);

-- One row per source and UTC day: the day's samples of the source in (collected_at, sample_id)
-- order. t: microseconds, the first since block_start, then deltas; sid: the sample_id, the
-- first as is, then deltas; other: NULL when every sample's value is a JSON object (its fields
-- are in pemhistory.field_block), else per sample the value itself where it is not an object
-- (NULL where it is).
CREATE TABLE pemhistory.sample_block (
  source_id   integer NOT NULL,
  block_start timestamptz NOT NULL,
  n           integer NOT NULL CHECK (n > 0),
  t           bigint[] NOT NULL,
  sid         bigint[] NOT NULL,
  other       jsonb[]
) PARTITION BY RANGE (block_start);
CREATE UNIQUE INDEX ON pemhistory.sample_block (source_id, block_start);

-- One row per source, UTC day and field of its samples, aligned with the sample_block's arrays
-- (element i = sample i; NULL where the sample lacks the field). Numbers whose float8 gives back
-- the same JSON text are in v (scale 0: every value an integer, stored as deltas from the
-- previous value present; 3: at most 3 decimals, deltas of round(value × 1000); -1: the values
-- themselves); any other field keeps its JSON values in j.
CREATE TABLE pemhistory.field_block (
  source_id   integer NOT NULL,
  block_start timestamptz NOT NULL,
  field       text NOT NULL,
  scale       smallint CHECK (scale IN (-1, 0, 3)),
  v           double precision[],
  j           jsonb[],
  CHECK ((v IS NULL) <> (j IS NULL)),
  CHECK ((v IS NULL) = (scale IS NULL))
) PARTITION BY RANGE (block_start);
CREATE UNIQUE INDEX ON pemhistory.field_block (source_id, block_start, field);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE pemhistory.sample_block ALTER COLUMN t SET COMPRESSION lz4, ALTER COLUMN sid SET COMPRESSION lz4,
      ALTER COLUMN other SET COMPRESSION lz4;
    ALTER TABLE pemhistory.field_block ALTER COLUMN v SET COMPRESSION lz4, ALTER COLUMN j SET COMPRESSION lz4;
  END IF;
END $$;

-- The compaction job: the days it compacted, and when (pemhistory.sample keeps the late samples
-- of a compacted day in the day's emptied partition until the next run folds them in).
CREATE TABLE pemhistory.compacted_day (
  day          date PRIMARY KEY,
  compacted_at timestamptz NOT NULL DEFAULT now(),
  samples      bigint NOT NULL
);
