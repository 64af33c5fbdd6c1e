-- The built-in CA, from SQL (src/configure/built-in-ca.ts has the design):
-- runs the recorded signer (pem.ca_signer) on the primary's host with
-- COPY ... FROM PROGRAM, in the data directory where the CA files are, to
-- sign p_csr_pem for CN p_common_name. The signer checks the CSR's signature
-- and CN and prints the certificate and one info line
-- (src/configure/sign-csr.ts: `pharos-cert-info: ` + base64 JSON with the
-- fingerprint, serial, issuer and validity). Returns the certificate (PEM)
-- and those facts; the fingerprint is checked against the certificate.
-- Needs its caller to run as a role that may run programs (the owner of
-- pem.enrol_agent, the installing superuser). Errors: 55000 when the built-in
-- CA is not enabled or cannot sign (the signer's message), 22023 (column csr)
-- when the signer refuses the request itself.
CREATE OR REPLACE FUNCTION pem.sign_agent_csr(p_common_name name, p_csr_pem text, OUT cert_pem text, OUT facts jsonb)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s pem.ca_signer;
  v_cmd text;
  v_lines text[];
  v_err text;
  v_info text;
BEGIN
  SELECT * INTO s FROM pem.ca_signer;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'this deployment has no built-in CA (enable it with --use-existing-sslutils on the primary''s configure step), so it cannot issue the agent''s certificate: enrol with the host''s own certificate (--sslcert and --sslkey)'
      USING ERRCODE = '55000';
  END IF;
  IF p_common_name !~ '^[a-z_][a-z0-9_$]{0,62}$' THEN
    RAISE EXCEPTION '''%'' cannot be a certificate CN for an agent user', p_common_name USING ERRCODE = '22023';
  END IF;
  -- p_common_name as text: an array with a name in it would be name[], cutting every argument to 63 bytes
  SELECT string_agg('''' || replace(w, '''', '''\''''') || '''', ' ' ORDER BY i) INTO v_cmd
    FROM unnest(s.program || ARRAY['--cn', p_common_name::text, '--days', s.cert_days::text, '--ca-cert', s.ca_cert_file,
                                   '--ca-key', s.ca_key_file, '--csr',
                                   translate(encode(convert_to(p_csr_pem, 'UTF8'), 'base64'), E'\n', '')])
         WITH ORDINALITY AS a(w, i);
  DROP TABLE IF EXISTS pg_temp.pharos_enrol_signed;
  CREATE TEMP TABLE pharos_enrol_signed (n serial, line text) ON COMMIT DROP;
  BEGIN
    EXECUTE format('COPY pg_temp.pharos_enrol_signed (line) FROM PROGRAM %L', v_cmd);
  EXCEPTION WHEN OTHERS THEN
    RAISE EXCEPTION 'the built-in CA could not sign %''s certificate on the primary: % (is ''%'' installed there and runnable by the database''s OS user?)',
      p_common_name, SQLERRM, array_to_string(s.program, ' ') USING ERRCODE = '55000';
  END;
  SELECT array_agg(coalesce(line, '') ORDER BY n) INTO v_lines FROM pg_temp.pharos_enrol_signed;
  DROP TABLE pg_temp.pharos_enrol_signed;
  SELECT l INTO v_err FROM unnest(v_lines) AS l WHERE starts_with(l, 'pharos-sign-error: ') LIMIT 1;
  IF v_err IS NOT NULL THEN
    v_err := substr(v_err, length('pharos-sign-error: ') + 1);
    IF v_err ~ 'certificate signing request' THEN
      RAISE EXCEPTION 'csr: the built-in CA refused the request: %', v_err USING ERRCODE = '22023', COLUMN = 'csr';
    END IF;
    RAISE EXCEPTION 'the built-in CA on the primary refused: %', v_err USING ERRCODE = '55000';
  END IF;
  SELECT substr(l, length('pharos-cert-info: ') + 1) INTO v_info
    FROM unnest(v_lines) AS l WHERE starts_with(l, 'pharos-cert-info: ') LIMIT 1;
  IF v_info IS NULL THEN
    RAISE EXCEPTION 'the built-in CA''s signer on the primary (%) printed no certificate facts: is it the same Pharos version as the backend?',
      array_to_string(s.program, ' ') USING ERRCODE = '55000';
  END IF;
  facts := convert_from(decode(v_info, 'base64'), 'UTF8')::jsonb;
  cert_pem := array_to_string(ARRAY(SELECT l FROM unnest(v_lines) AS l
                                     WHERE NOT starts_with(l, 'pharos-cert-info: ') AND l <> ''), E'\n') || E'\n';
  IF encode(sha256(decode(regexp_replace(cert_pem, '-----[A-Z ]+-----|\s', '', 'g'), 'base64')), 'hex')
     IS DISTINCT FROM facts->>'fingerprintSha256' OR facts->>'commonName' IS DISTINCT FROM p_common_name::text THEN
    RAISE EXCEPTION 'the built-in CA returned a certificate that does not match the request for %', p_common_name
      USING ERRCODE = '55000';
  END IF;
END $$;
