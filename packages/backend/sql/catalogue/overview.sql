-- The overview rows (pemdata.agent_overview, pemdata.server_overview; migration 020) rebuilt from
-- pemdata.latest whenever the definitions are applied: the first time after migration 020, and
-- after any release that changed pem.overview_refresh (sql/functions/overview/).
SELECT pem.overview_rebuild();
