-- Pharos backend schema, version 8: functions, views, grants and catalogues
-- leave the migrations (sql/README.md). Applied once by
-- packages/backend/src/migrations/run.ts. On a database that ran versions
-- 1-7 as they landed, the files of sql/functions/ and sql/views/ then replace
-- the definitions those versions made (CREATE OR REPLACE: same signatures,
-- so nothing is dropped), and the catalogues fill the columns added here.
--
-- - pem.job.fn: the function that runs the job (pem.run_due_jobs dispatches
--   on it; sql/catalogue/jobs.sql sets it).
-- - pem.alert_template.shipped_at: when the catalogue last wrote a built-in
--   template. A built-in template whose updated_at still equals it was not
--   changed since, and takes a new release's definition on upgrade. The
--   templates version 5 inserted were written in its transaction, so the
--   ones nobody changed since have updated_at = that version's applied_at.

ALTER TABLE pem.job ADD COLUMN fn regprocedure;
COMMENT ON COLUMN pem.job.fn IS
  'pem.job_<name>() returning text, run by pem.run_due_jobs when the job is due; NULL: run elsewhere (alert_housekeeping)';

ALTER TABLE pem.alert_template ADD COLUMN shipped_at timestamptz;
COMMENT ON COLUMN pem.alert_template.shipped_at IS
  'built-in templates: when the catalogue last wrote the row; updated_at = shipped_at means unchanged since';

UPDATE pem.alert_template
   SET shipped_at = updated_at
 WHERE builtin AND updated_at = (SELECT applied_at FROM public.pharos_schema_version WHERE version = 5);
