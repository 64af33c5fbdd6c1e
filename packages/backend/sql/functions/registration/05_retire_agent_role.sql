-- Takes agent user p_user out of service once no agent row uses it: a role
-- Pharos created (its comment, pem.ensure_agent_role) is dropped, or, when it
-- owns objects or holds privileges elsewhere, kept NOLOGIN; any other role (a
-- common agent user the operator made) only loses pem_agent. Returns what was
-- done, or NULL when the user is still in use or does not exist. The
-- counterpart of configure's retireAgentRole (src/configure/register.ts).
CREATE OR REPLACE FUNCTION pem.retire_agent_role(p_user name)
RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_comment text;
BEGIN
  IF EXISTS (SELECT 1 FROM pem.agent WHERE user_name = p_user) THEN
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_user) THEN
    RETURN NULL;
  END IF;
  SELECT shobj_description(r.oid, 'pg_authid') INTO v_comment FROM pg_roles r WHERE r.rolname = p_user;
  IF v_comment = 'Pharos agent user (certificate authentication only)' THEN
    BEGIN
      EXECUTE format('DROP ROLE %I', p_user);
      RETURN format('dropped role %s', p_user);
    EXCEPTION WHEN dependent_objects_still_exist OR object_in_use THEN
      EXECUTE format('ALTER ROLE %I NOLOGIN', p_user);
    END;
  END IF;
  IF pg_has_role(p_user, 'pem_agent', 'MEMBER') THEN
    EXECUTE format('REVOKE pem_agent FROM %I', p_user);
  END IF;
  RETURN format('revoked pem_agent from %s', p_user);
END $$;
