-- Revokes enrolment token p_id on behalf of p_actor: it can no longer enrol.
-- Returns false when it was already revoked. Errors: P0002 (column id) when
-- there is no such token; 55000 when it was already used (it enrolled an
-- agent: unregister that agent instead).
CREATE OR REPLACE FUNCTION pem.enrolment_token_revoke(p_actor name, p_id integer)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  t pem.enrolment_token;
BEGIN
  SELECT * INTO t FROM pem.enrolment_token WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no enrolment token %', p_id USING ERRCODE = 'P0002', COLUMN = 'id';
  END IF;
  IF t.used_at IS NOT NULL THEN
    RAISE EXCEPTION 'enrolment token % (%) was used at % by agent %: nothing to revoke (unregister that agent to remove it)',
      p_id, t.name, t.used_at, t.used_by_agent USING ERRCODE = '55000';
  END IF;
  IF t.revoked_at IS NOT NULL THEN
    RETURN false;
  END IF;
  UPDATE pem.enrolment_token SET revoked_at = now(), revoked_by = p_actor WHERE id = p_id;
  RETURN true;
END $$;
