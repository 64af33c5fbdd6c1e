-- True, or an error (SQLSTATE 28000) when the client certificate of this connection is one Pharos
-- revoked (pem.agent_certificate.revoked_at: an agent re-registered with a new certificate, or
-- unregistered). Every function an agent calls (grants/50_agents.sql) calls this first, so a revoked
-- certificate stops working for the next call, even on a connection opened before the revocation
-- (security review L6: PostgreSQL has no CRL for agent certificates in Pharos's setups). A connection
-- without a client certificate (not an agent's) passes. The certificate's serial comes from
-- pg_stat_ssl's source, pg_stat_get_activity(pid) (ssl_client_serial, numeric; PostgreSQL docs "pg_stat_ssl"); the stored serial is the hex
-- text Node's X509Certificate.serialNumber gives; a stored row of the same serial that is not revoked
-- (the same certificate registered again) keeps it in force.
CREATE OR REPLACE FUNCTION pem.agent_certificate_in_force()
RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_serial numeric;
  v_hex text;
  v_n numeric;
  v_revoked boolean := false;
  v_current boolean := false;
  r record;
BEGIN
  -- this backend's row only: the pg_stat_ssl view reads every backend's (pg_stat_get_activity(NULL)),
  -- a cost per call that grows with the connected agents
  SELECT s.ssl_client_serial INTO v_serial FROM pg_stat_get_activity(pg_backend_pid()) s;
  IF v_serial IS NULL THEN
    RETURN true;
  END IF;
  FOR r IN SELECT c.serial_number, c.revoked_at FROM pem.agent_certificate c
            WHERE c.common_name = session_user
               OR c.agent_id IN (SELECT a.id FROM pem.agent a WHERE a.user_name = session_user) LOOP
    v_hex := lower(regexp_replace(r.serial_number, '[^0-9A-Fa-f]', '', 'g'));
    v_n := 0;
    FOR i IN 1 .. length(v_hex) LOOP
      v_n := v_n * 16 + (strpos('0123456789abcdef', substr(v_hex, i, 1)) - 1);
    END LOOP;
    IF v_n = v_serial THEN
      IF r.revoked_at IS NULL THEN v_current := true; ELSE v_revoked := true; END IF;
    END IF;
  END LOOP;
  IF v_revoked AND NOT v_current THEN
    RAISE EXCEPTION 'the client certificate of user % (serial %) was revoked', session_user, v_serial
      USING ERRCODE = '28000', HINT = 'register the agent again (pharos agent register) and use its new certificate';
  END IF;
  RETURN true;
END $$;
