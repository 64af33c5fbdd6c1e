-- A digest of role p_role's login credential: its password verifier (pg_authid.rolpassword) and its
-- VALID UNTIL, or NULL when the role does not exist, may not log in, or its VALID UNTIL has passed.
-- A web session records it when it is made and ends when it differs (security review L5: a password
-- change, or an expiry, ends the sessions made with the old credential). pg_authid is readable by
-- superusers only, hence SECURITY DEFINER; the digest (SHA-256 over the verifier, which is itself
-- salted) says nothing usable about the password. Source: PostgreSQL docs, "pg_authid" (rolpassword,
-- rolvaliduntil).
CREATE OR REPLACE FUNCTION pem.role_credential_epoch(p_role name)
RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT encode(sha256(convert_to(coalesce(a.rolpassword, '') || '/' || coalesce(a.rolvaliduntil::text, ''), 'UTF8')),
                'hex')
    FROM pg_authid a
   WHERE a.rolname = p_role AND a.rolcanlogin AND (a.rolvaliduntil IS NULL OR a.rolvaliduntil > now())
$$;
