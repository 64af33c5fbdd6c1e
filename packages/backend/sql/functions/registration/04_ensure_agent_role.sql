-- Makes p_user an agent's database user: creates it (LOGIN, no password:
-- certificate authentication only; commented so that unregistration knows
-- Pharos made it) if absent, gives a role Pharos made before LOGIN again,
-- and makes it a member of pem_agent. Returns true when it changed anything.
-- Errors: 55000 when a role of that name exists that Pharos did not make (it
-- is never taken over). Called by pem.enrol_agent (as its owner).
CREATE OR REPLACE FUNCTION pem.ensure_agent_role(p_user name)
RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_comment text;
  v_exists boolean;
  v_changed boolean := false;
BEGIN
  SELECT true, shobj_description(r.oid, 'pg_authid') INTO v_exists, v_comment FROM pg_roles r WHERE r.rolname = p_user;
  IF NOT coalesce(v_exists, false) THEN
    EXECUTE format('CREATE ROLE %I LOGIN', p_user);
    EXECUTE format('COMMENT ON ROLE %I IS %L', p_user, 'Pharos agent user (certificate authentication only)');
    v_changed := true;
  ELSIF v_comment IS DISTINCT FROM 'Pharos agent user (certificate authentication only)' THEN
    RAISE EXCEPTION 'a database role % exists that Pharos did not create; it is not taken over as an agent user', p_user
      USING ERRCODE = '55000';
  ELSIF NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = p_user) THEN
    EXECUTE format('ALTER ROLE %I LOGIN', p_user);
    v_changed := true;
  END IF;
  IF NOT pg_has_role(p_user, 'pem_agent', 'MEMBER') THEN
    EXECUTE format('GRANT pem_agent TO %I', p_user);
    v_changed := true;
  END IF;
  RETURN v_changed;
END $$;
