-- Issues a one-time enrolment token for p_name (what it is for), valid
-- p_valid_for_s seconds (60 s to 30 days), on behalf of p_actor (the
-- administrator). Returns the token, once: only its SHA-256 is stored. The
-- token is `pht_<deployment id, 32 hex>_<secret, 43 base64url characters:
-- 244 random bits from two gen_random_uuid()>`, so a token from another
-- deployment is recognised (pem.enrol_agent). Errors: 22023 naming the field
-- (name, validForS).
CREATE OR REPLACE FUNCTION pem.enrolment_token_create(p_actor name, p_name text, p_valid_for_s integer)
RETURNS TABLE (id integer, token text, expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_secret text;
  v_token text;
  v_id integer;
  v_expires timestamptz;
BEGIN
  IF p_name IS NULL OR btrim(p_name) = '' OR length(p_name) > 200 OR p_name ~ '[[:cntrl:]]' THEN
    RAISE EXCEPTION 'name: give what the token is for (1-200 characters, e.g. the host it enrols)'
      USING ERRCODE = '22023', COLUMN = 'name';
  END IF;
  IF p_valid_for_s IS NULL OR p_valid_for_s < 60 OR p_valid_for_s > 30 * 86400 THEN
    RAISE EXCEPTION 'validForS: % is not between 60 seconds and 30 days (2592000 s)', p_valid_for_s
      USING ERRCODE = '22023', COLUMN = 'validForS';
  END IF;
  v_secret := rtrim(translate(encode(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'),
                                     'base64'), '+/', '-_'), '=');
  v_token := 'pht_' || replace((SELECT d.id FROM pem.deployment d)::text, '-', '') || '_' || left(v_secret, 43);
  v_expires := now() + make_interval(secs => p_valid_for_s);
  INSERT INTO pem.enrolment_token (name, token_sha256, created_by, expires_at)
  VALUES (btrim(p_name), sha256(convert_to(v_token, 'UTF8')), p_actor, v_expires)
  RETURNING enrolment_token.id INTO v_id;
  RETURN QUERY SELECT v_id, v_token, v_expires;
END $$;
