-- Pharos backend schema, version 9: agents store data only for their own
-- host and the servers bound to them, stamped no later than a small skew
-- ahead of the backend's clock (issue 16 M1; the rules are in
-- sql/functions/ingest/). Applied once by packages/backend/src/migrations/run.ts.
--
-- - pem.ingest_settings: the skew (one row).
-- - pem.ship_batch: how many samples of a batch were refused, and why (the
--   batch is still recorded: it is acknowledged once and never retried).
-- - pemdata.latest: values stamped more than the default skew ahead of now
--   are deleted. They were written by an agent whose clock was ahead, or
--   forged, and would stay "latest" until their time came, hiding the real
--   values; the samples stay in pemhistory.sample.

CREATE TABLE pem.ingest_settings (
  id                boolean PRIMARY KEY DEFAULT true CHECK (id),
  -- samples and probe failures stamped more than this many seconds after the backend's now() are refused
  max_future_skew_s integer NOT NULL DEFAULT 300 CHECK (max_future_skew_s BETWEEN 1 AND 86400),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
INSERT INTO pem.ingest_settings DEFAULT VALUES;

ALTER TABLE pem.ship_batch
  ADD COLUMN refused_count integer NOT NULL DEFAULT 0,
  ADD COLUMN refused_reason text;
COMMENT ON COLUMN pem.ship_batch.refused_count IS
  'samples of the batch not stored: for a server not bound to the agent, stamped too far in the future, or malformed';

DELETE FROM pemdata.latest WHERE collected_at > now() + interval '300 seconds';
