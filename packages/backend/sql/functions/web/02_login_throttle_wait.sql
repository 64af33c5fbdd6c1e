-- Seconds a web login for user name p_user from client address p_address must wait (0: it may be tried
-- now): while the name, or the address, has p_user_limit (resp. p_address_limit) refused logins in a
-- window of p_window_s seconds (pem.login_throttle, shared by every web instance: security review L4),
-- until that window ends. The user name counts as typed, whether such a role exists or not, so the
-- answer tells nothing about which names exist.
CREATE OR REPLACE FUNCTION pem.login_throttle_wait(p_user text, p_address text, p_user_limit integer,
                                                   p_address_limit integer, p_window_s integer)
RETURNS integer LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(max(ceil(extract(epoch FROM t.window_start + make_interval(secs => p_window_s) - now())))::integer, 0)
    FROM pem.login_throttle t
   WHERE t.window_start > now() - make_interval(secs => p_window_s)
     AND ((t.kind = 'user' AND t.key = left(p_user, 256) AND t.failures >= p_user_limit)
       OR (t.kind = 'address' AND t.key = left(p_address, 256) AND t.failures >= p_address_limit))
$$;
