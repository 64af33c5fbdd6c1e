-- Enrols a new host's agent with one-time token p_token (issue 14: no
-- superuser password on a monitored host; docs/monitoring-a-server.md).
-- Called by the web tier (POST /api/enrol, the token is the credential), in
-- one transaction; SECURITY DEFINER, owned by the installing superuser, so
-- it may create the agent's role and run the built-in CA's signer.
--
-- The token must be this deployment's (pem.deployment), known, not revoked,
-- not used, not expired; it is then marked used by the new agent, from
-- p_source. The host supplies either a CSR (p_csr_pem: the built-in CA signs
-- it for CN agentN, pem.sign_agent_csr) or its own certificate (p_cert_pem,
-- with p_cert_facts as the web tier read them): CN agentN (per-agent
-- certificates: N is the new agent's id, which must be free) or, with
-- p_common_user, CN = that user (the common agent user, which must exist,
-- be no superuser and already be a member of pem_agent). The agent's
-- display name must be new. Returns the agent's id and user, its
-- certificate, the certificate's source and this deployment's id.
--
-- A used token is refused, except for a retry of the request that used it
-- (issue 14: the web tier's deadline can give up while this commits, and the
-- host, told 503, asks again): the same display name, host address and agent
-- user, and the same CSR (the request stored with the built-in CA's
-- certificate, compared without whitespace: the same CSR is the same public
-- key; a new CSR, even for the same key, is refused) or the same supplied
-- certificate (its SHA-256 fingerprint), while that agent is still enrolled
-- with that certificate unrevoked. It answers the first enrolment's result
-- and writes nothing.
--
-- Errors (nothing is written): 22023 naming the field (token, displayName,
-- hostAddress, csr, certificate, agentUser); 23505 for a display name or agent
-- id already enrolled (displayName, certificate); 55000 when the built-in CA is
-- needed but not enabled or refuses.
CREATE OR REPLACE FUNCTION pem.enrol_agent(p_token text, p_display_name text, p_host_address inet, p_csr_pem text,
                                           p_cert_pem text, p_cert_facts jsonb, p_common_user name, p_source inet)
RETURNS TABLE (agent_id integer, user_name name, cert_pem text, certificate_source text, deployment_id uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_dep uuid;
  v_m text[];
  t pem.enrolment_token;
  v_other pem.agent;
  v_id integer;
  v_user name;
  v_cn text;
  v_cert text;
  v_facts jsonb;
  v_source text;
  v_signed record;
  v_replay record;
BEGIN
  SELECT d.id INTO v_dep FROM pem.deployment d;
  v_m := regexp_match(coalesce(p_token, ''), '^pht_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$');
  IF v_m IS NULL THEN
    RAISE EXCEPTION 'token: this is not an enrolment token (they look like pht_<deployment>_<secret>; pharos token create makes one)'
      USING ERRCODE = '22023', COLUMN = 'token';
  END IF;
  IF v_m[1] <> replace(v_dep::text, '-', '') THEN
    RAISE EXCEPTION 'token: it was issued by another Pharos deployment (%), not this one (%): ask this deployment''s administrator for a token',
      v_m[1], replace(v_dep::text, '-', '') USING ERRCODE = '22023', COLUMN = 'token';
  END IF;
  SELECT * INTO t FROM pem.enrolment_token et WHERE et.token_sha256 = sha256(convert_to(p_token, 'UTF8')) FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'token: this deployment never issued it (or it was deleted): ask for a new one'
      USING ERRCODE = '22023', COLUMN = 'token';
  END IF;
  IF t.revoked_at IS NOT NULL THEN
    RAISE EXCEPTION 'token: % (%) was revoked at % by %: ask for a new one', t.id, t.name, t.revoked_at, t.revoked_by
      USING ERRCODE = '22023', COLUMN = 'token';
  END IF;
  IF t.used_at IS NOT NULL THEN
    -- A retry of the request that used it (its answer was lost: the web tier
    -- gave up while this function committed) gets that enrolment's answer.
    SELECT a.id, a.user_name, c.cert_pem, c.source INTO v_replay
      FROM pem.agent a
      JOIN pem.agent_certificate c ON c.agent_id = a.id AND c.revoked_at IS NULL
     WHERE a.id = t.used_by_agent
       AND a.display_name = p_display_name
       AND a.host_address IS NOT DISTINCT FROM p_host_address
       AND a.user_name::text = coalesce(p_common_user::text, 'agent' || a.id)
       AND CASE WHEN p_csr_pem IS NOT NULL AND p_cert_pem IS NULL THEN
                  c.source = 'built-in-ca'
                  AND regexp_replace(c.csr_pem, '\s', '', 'g') = regexp_replace(p_csr_pem, '\s', '', 'g')
                WHEN p_cert_pem IS NOT NULL AND p_csr_pem IS NULL THEN
                  c.source = 'supplied'
                  AND c.fingerprint_sha256 = encode(sha256(decode(
                        regexp_replace(p_cert_pem, '-----[A-Z ]+-----|\s', '', 'g'), 'base64')), 'hex')
                ELSE false END;
    IF FOUND THEN
      RETURN QUERY SELECT v_replay.id, v_replay.user_name, v_replay.cert_pem, v_replay.source, v_dep;
      RETURN;
    END IF;
    RAISE EXCEPTION 'token: % (%) was already used at % (it enrolled agent %); a token enrols one host: ask for a new one',
      t.id, t.name, t.used_at, t.used_by_agent USING ERRCODE = '22023', COLUMN = 'token';
  END IF;
  IF t.expires_at <= now() THEN
    RAISE EXCEPTION 'token: % (%) expired at %: ask for a new one', t.id, t.name, t.expires_at
      USING ERRCODE = '22023', COLUMN = 'token';
  END IF;
  IF p_display_name IS NULL OR btrim(p_display_name) = '' OR length(p_display_name) > 63
     OR p_display_name ~ '[[:cntrl:]]' OR p_display_name <> btrim(p_display_name) THEN
    RAISE EXCEPTION 'displayName: ''%'' is not a display name (1-63 characters, no leading or trailing spaces)',
      p_display_name USING ERRCODE = '22023', COLUMN = 'displayName';
  END IF;
  IF (p_csr_pem IS NULL) = (p_cert_pem IS NULL) THEN
    RAISE EXCEPTION 'csr: give either a certificate signing request (built-in CA) or the host''s certificate, not both or neither'
      USING ERRCODE = '22023', COLUMN = 'csr';
  END IF;
  IF p_common_user IS NOT NULL AND p_cert_pem IS NULL THEN
    RAISE EXCEPTION 'agentUser: a common agent user comes with its certificate'
      USING ERRCODE = '22023', COLUMN = 'agentUser';
  END IF;
  LOCK TABLE pem.agent IN SHARE ROW EXCLUSIVE MODE;
  SELECT * INTO v_other FROM pem.agent a WHERE a.display_name = p_display_name;
  IF FOUND THEN
    RAISE EXCEPTION 'displayName: % is already enrolled as agent % (user %): choose another name, or unregister that agent first',
      p_display_name, v_other.id, v_other.user_name USING ERRCODE = '23505', COLUMN = 'displayName';
  END IF;
  SELECT coalesce(max(a.id), 0) + 1 INTO v_id FROM pem.agent a;
  IF p_cert_pem IS NOT NULL THEN
    v_cn := p_cert_facts->>'commonName';
    IF p_common_user IS NOT NULL THEN
      IF v_cn IS DISTINCT FROM p_common_user::text THEN
        RAISE EXCEPTION 'certificate: the certificate is for CN ''%'', not the common agent user %', v_cn, p_common_user
          USING ERRCODE = '22023', COLUMN = 'certificate';
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_common_user) THEN
        RAISE EXCEPTION 'agentUser: there is no role % on the backend (the common agent user is made at install)', p_common_user
          USING ERRCODE = '22023', COLUMN = 'agentUser';
      END IF;
      IF (SELECT rolsuper FROM pg_roles WHERE rolname = p_common_user)
         OR NOT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                          JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = 'pem_agent' AND u.rolname = p_common_user) THEN
        RAISE EXCEPTION 'agentUser: % is not a common agent user (an ordinary role, member of pem_agent: the first registration of the common-user model makes it one)',
          p_common_user USING ERRCODE = '22023', COLUMN = 'agentUser';
      END IF;
      v_user := p_common_user;
    ELSE
      v_m := regexp_match(coalesce(v_cn, ''), '^agent([1-9][0-9]{0,8})$');
      IF v_m IS NULL THEN
        RAISE EXCEPTION 'certificate: the certificate is for CN ''%'', not agentN (per-agent certificates) and no common agent user was given',
          v_cn USING ERRCODE = '22023', COLUMN = 'certificate';
      END IF;
      v_id := v_m[1]::integer;
      SELECT * INTO v_other FROM pem.agent a WHERE a.id = v_id;
      IF FOUND THEN
        RAISE EXCEPTION 'certificate: its CN is agent%, and agent % is already enrolled (%): a per-agent certificate enrols one host',
          v_id, v_id, v_other.display_name USING ERRCODE = '23505', COLUMN = 'certificate';
      END IF;
      v_user := 'agent' || v_id;
    END IF;
    IF (p_cert_facts->>'notAfter')::timestamptz <= now() THEN
      RAISE EXCEPTION 'certificate: the certificate expired at %', p_cert_facts->>'notAfter'
        USING ERRCODE = '22023', COLUMN = 'certificate';
    END IF;
    IF encode(sha256(decode(regexp_replace(p_cert_pem, '-----[A-Z ]+-----|\s', '', 'g'), 'base64')), 'hex')
       IS DISTINCT FROM p_cert_facts->>'fingerprintSha256' THEN
      RAISE EXCEPTION 'certificate: the certificate''s facts do not match it' USING ERRCODE = '22023', COLUMN = 'certificate';
    END IF;
  ELSE
    v_user := 'agent' || v_id;
  END IF;
  IF p_common_user IS NULL THEN
    PERFORM pem.ensure_agent_role(v_user);
  END IF;
  INSERT INTO pem.agent (id, user_name, display_name, host_address) VALUES (v_id, v_user, p_display_name, p_host_address);
  IF p_csr_pem IS NOT NULL THEN
    SELECT * INTO v_signed FROM pem.sign_agent_csr(v_user, p_csr_pem);
    v_cert := v_signed.cert_pem;
    v_facts := v_signed.facts;
    v_source := 'built-in-ca';
  ELSE
    v_cert := p_cert_pem;
    v_facts := p_cert_facts;
    v_source := 'supplied';
  END IF;
  PERFORM pem.record_agent_certificate(v_id, v_cert, v_facts, v_source, p_csr_pem);
  UPDATE pem.enrolment_token SET used_at = now(), used_by_agent = v_id, used_from = p_source WHERE id = t.id;
  RETURN QUERY SELECT v_id, v_user, v_cert, v_source, v_dep;
END $$;
