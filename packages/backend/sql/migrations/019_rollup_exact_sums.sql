-- Pharos backend schema: the chart rollup's sums as numeric (exact), so an answer from the rollup
-- is the samples' answer to the last bit. DDL only.
--
-- pemhistory.rollup (006_rollup.sql) kept sum, inc and inc_s as double precision. Float addition
-- is not associative: the 60-s tier sums a minute's samples, the 300-s and 3600-s tiers sum
-- minutes (in the chunks the job claimed, added ON CONFLICT), a chart sums rows, while the same
-- chart from the samples sums the samples one by one. For fractional values (replication_lag's
-- replay_lag_s in tenths of a second; seconds between samples collected off the whole second)
-- the totals differed in their last bits, and the series API's rounding to 6 significant digits
-- turned that into one unit of the 6th digit where a mean fell on a half (the mean of 320
-- samples in tenths, 0.2984375, read 0.298437 from the samples and 0.298438 from the rollup:
-- series-rollup.int failed at random, depending on the time of the run). numeric addition is
-- exact, so every grouping gives the same total: the functions (sql/functions/history/
-- 10_rollup_minutes.sql) and the series SQL (web/src/api/series-sql.ts) add each value as
-- numeric (its float8 to 15 significant digits, PostgreSQL's float8 -> numeric cast) and divide
-- once, at the end. n, min, max and resets were exact already.
--
-- The ALTER rewrites the table (ACCESS EXCLUSIVE while it runs, about as long as a copy of the
-- rollup); existing rows keep their float totals, rounded to 15 significant digits.
ALTER TABLE pemhistory.rollup
  ALTER COLUMN sum TYPE numeric,
  ALTER COLUMN inc TYPE numeric,
  ALTER COLUMN inc_s TYPE numeric;
