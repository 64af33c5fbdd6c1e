-- Records certificate p_cert_pem (facts as the signer prints them, or as
-- the web tier read them from a supplied certificate: fingerprintSha256,
-- commonName, serialNumber, issuer, notBefore, notAfter) for agent
-- p_agent_id; the agent's other certificates are marked revoked (its
-- configuration names the new one). The counterpart of configure's
-- recordCertificate (src/configure/certificate-records.ts).
CREATE OR REPLACE FUNCTION pem.record_agent_certificate(p_agent_id integer, p_cert_pem text, p_facts jsonb,
                                                        p_source text, p_csr_pem text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  INSERT INTO pem.agent_certificate AS c (agent_id, fingerprint_sha256, common_name, serial_number, issuer,
      not_before, not_after, source, csr_pem, cert_pem)
  VALUES (p_agent_id, p_facts->>'fingerprintSha256', coalesce(p_facts->>'commonName', ''), p_facts->>'serialNumber',
          p_facts->>'issuer', (p_facts->>'notBefore')::timestamptz, (p_facts->>'notAfter')::timestamptz,
          p_source, p_csr_pem, p_cert_pem)
  ON CONFLICT (agent_id, fingerprint_sha256) DO UPDATE SET revoked_at = NULL, registered_at = now();
  UPDATE pem.agent_certificate SET revoked_at = now()
   WHERE agent_id = p_agent_id AND fingerprint_sha256 <> p_facts->>'fingerprintSha256' AND revoked_at IS NULL;
END $$;
