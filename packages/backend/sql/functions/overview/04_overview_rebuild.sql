-- Rewrites every overview row (pem.overview_refresh for every agent and every server), e.g.
-- after an upgrade that changed how they are made: catalogue/overview.sql calls it whenever the
-- definitions are applied. Returns the number of agents and servers rewritten.
CREATE OR REPLACE FUNCTION pem.overview_rebuild() RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a integer;
  n integer := 0;
BEGIN
  FOR a IN SELECT id FROM pem.agent ORDER BY id LOOP
    PERFORM pem.overview_refresh(a, ARRAY[0]);
    n := n + 1;
  END LOOP;
  PERFORM pem.overview_refresh(NULL, ARRAY(SELECT id FROM pem.server ORDER BY id));
  RETURN n + (SELECT count(*) FROM pem.server)::integer;
END $$;
