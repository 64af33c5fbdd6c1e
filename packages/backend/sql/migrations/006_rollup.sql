-- Pharos backend schema, version 6: rollups for long-range charts, and an index for the
-- overview's alert counts (issue 7, web API latency targets).
-- Applied once by packages/backend/src/migrations/run.ts. The functions and the
-- trigger named below are in sql/functions/history/, the job in
-- sql/catalogue/jobs.sql.
--
-- A 7-day chart of a 10-s probe reads about 60 000 samples per object from pemhistory.sample.
-- pemhistory.rollup keeps, for the fields the charts draw (pem.rollup_field), per server,
-- probe, object, field and bucket of 60, 300 or 3600 seconds, partial aggregates:
--   n, sum, min, max      of the field's numeric values (pem.jsonb_float8) in the bucket;
--   inc, inc_s, resets    of the pairs of consecutive samples of the object (in time order,
--                         the earlier one may lie in an earlier bucket) that END in the
--                         bucket and are 0 < dt <= max_gap_s apart: inc = sum of the
--                         non-negative increases, inc_s = the seconds of those pairs,
--                         resets = pairs whose value went down.
-- Every figure adds up across buckets, so a chart bucket that is a multiple of the width is
-- exactly what the samples give (packages/web/src/api/series-sql.ts): gauges avg = sum / n,
-- counters rate = inc / inc_s (NULL when inc_s = 0).
--
-- Maintenance: pem.rollup_history(), the job 'history_rollup' (pem.run_due_jobs, called by the
-- agents every minute; primary only). State (pemhistory.rollup_state):
--   rolled_through  R: the rollup holds every sample below R; readers take samples from R on.
--   claimed_through W >= R: the range [R, W) the next run rolls up.
-- One run: rolls [R, W) into the 60-s tier and adds it to the 300-s and 3600-s tiers (R := W);
-- recomputes the (server, probe) ranges that received late samples; claims
-- [W, min(W + chunk, now - 2 min)). A sample inserted below W is late: the statement trigger
-- pemhistory.sample_rollup_late records its (server, probe, minute) in pemhistory.rollup_dirty.
-- No sample is missed: the trigger holds a shared advisory lock (key 7301006) until its
-- transaction ends, the claim takes it exclusively, so an insert either committed before the
-- claim (and the next run sees it) or reads the new W (and is recorded as late).
--
-- Changing pem.rollup_field applies to samples rolled from then on; to rebuild older buckets,
-- empty pemhistory.rollup and set both marks of pemhistory.rollup_state to NULL (the job then
-- starts again from the oldest history; charts read samples meanwhile).

-- ---- what is rolled up -----------------------------------------------------

-- The (probe, field) pairs the server analysis charts draw (packages/web/ui/chart-catalog.js).
CREATE TABLE pem.rollup_field (
  probe text NOT NULL,
  field text NOT NULL,
  PRIMARY KEY (probe, field)
);
INSERT INTO pem.rollup_field (probe, field) VALUES
  ('database_stats', 'xact_commit'), ('database_stats', 'xact_rollback'),
  ('database_stats', 'blks_hit'), ('database_stats', 'blks_read'),
  ('connections_by_state', 'connections'),
  ('checkpointer', 'num_timed'), ('checkpointer', 'num_requested'), ('checkpointer', 'buffers_written'),
  ('bgwriter', 'buffers_clean'), ('bgwriter', 'buffers_backend'),
  ('wal', 'position_bytes'),
  ('replication_lag', 'lag_bytes'), ('replication_lag', 'replay_lag_s'),
  ('locks', 'locks'),
  ('blocked_sessions', 'blocked'), ('blocked_sessions', 'blocking'),
  ('database_size', 'size_bytes');

-- ---- tables ------------------------------------------------------------------

CREATE TABLE pemhistory.rollup (
  server_id  integer NOT NULL,
  probe      text NOT NULL,
  width_s    integer NOT NULL CHECK (width_s IN (60, 300, 3600)),
  field      text NOT NULL,
  -- start of the bucket, a multiple of width_s since the epoch
  bucket     timestamptz NOT NULL,
  object     text NOT NULL,
  n          integer NOT NULL CHECK (n > 0),
  sum        double precision NOT NULL,
  min        double precision NOT NULL,
  max        double precision NOT NULL,
  inc        double precision NOT NULL DEFAULT 0,
  inc_s      double precision NOT NULL DEFAULT 0,
  resets     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (server_id, probe, width_s, field, bucket, object)
);
-- Retention and the job's range deletes; rows are appended in time order.
CREATE INDEX rollup_bucket_brin ON pemhistory.rollup USING brin (bucket) WITH (autosummarize = on);
-- The job reads the samples of the last minutes of every server: a block range index fits
-- history appended in time order (summarized as ranges fill, so the newest stay cheap).
CREATE INDEX sample_collected_at_brin ON pemhistory.sample USING brin (collected_at) WITH (autosummarize = on);

CREATE TABLE pemhistory.rollup_state (
  only_row        boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  rolled_through  timestamptz,
  claimed_through timestamptz,
  -- pairs of samples further apart than this are a gap, not a rate (seconds)
  max_gap_s       integer NOT NULL DEFAULT 900 CHECK (max_gap_s > 0),
  CHECK (rolled_through <= claimed_through)
);
INSERT INTO pemhistory.rollup_state DEFAULT VALUES;

-- Late samples waiting for pem.rollup_history (a queue: no key, so an insert never waits).
CREATE TABLE pemhistory.rollup_dirty (
  server_id integer NOT NULL,
  probe     text NOT NULL,
  minute    timestamptz NOT NULL
);

-- ---- the overview's alert counts ----------------------------------------------------

-- GET /api/fleet counts the alerts that are raised: few among many (one per template and object).
CREATE INDEX alert_raised_idx ON pem.alert (state) WHERE enabled AND state <> 'none';
