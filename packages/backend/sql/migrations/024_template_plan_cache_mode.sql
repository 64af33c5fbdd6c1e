-- Pharos backend schema: each alert template's plan choice (issue 19: alert evaluation keeping up
-- at fleet scale). DDL only.
--
-- The batched evaluator (pem.alert_template_values) runs a template through a temporary PL/pgSQL
-- function of the session, whose statement plan PostgreSQL caches: custom plans (planned again
-- for each alert's parameters) for the first five executions, then the generic plan when its
-- estimated cost is not above the custom plans' average plus planning (PostgreSQL docs, PREPARE,
-- "Notes"; plan_cache_mode, §20.7.2). That choice rests on estimates: the failover template ran
-- with custom plans at 5-8 ms per evaluation where its generic plan takes 0.3-0.8 ms, and its
-- former text had a generic plan of 26-43 ms (docs/benchmarks.md, "Alert evaluation").
--
-- pem.alert_template.plan_cache_mode: the plan_cache_mode the evaluator sets while it runs the
-- template ('auto': PostgreSQL's choice, the default for administrators' templates;
-- 'force_generic_plan' or 'force_custom_plan'), chosen per built-in template by measurement
-- (sql/catalogue/alert-templates.sql). A template whose SQL an administrator changes goes back to
-- 'auto' (src/alerts/admin-templates.ts).
--
-- pem.alert_template_values gains the mode as its last argument: its signature changes, so the old
-- one is dropped here (a new database has none yet: functions are made after the migrations) and sql/functions/alerts/25_alert_template_values.sql creates the new one.
ALTER TABLE pem.alert_template
  ADD COLUMN plan_cache_mode text NOT NULL DEFAULT 'auto'
    CHECK (plan_cache_mode IN ('auto', 'force_generic_plan', 'force_custom_plan'));
COMMENT ON COLUMN pem.alert_template.plan_cache_mode IS
  'plan_cache_mode while the batched evaluator runs this template (auto: PostgreSQL''s choice); built-in templates: chosen by measurement';

DROP FUNCTION IF EXISTS pem.alert_template_values(text, integer[], integer[], integer[], text[], jsonb[]);
