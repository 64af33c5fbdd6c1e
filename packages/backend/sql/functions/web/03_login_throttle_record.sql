-- Records the outcome of a web login (security review L4): a refused one counts against user name
-- p_user and client address p_address (a window older than p_window_s seconds starts again at 1); a
-- successful one clears the user name's count (not the address's). Rows of windows long past are
-- removed on the way.
CREATE OR REPLACE FUNCTION pem.login_throttle_record(p_user text, p_address text, p_refused boolean, p_window_s integer)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM pem.login_throttle WHERE window_start < now() - make_interval(secs => 2 * p_window_s);
  IF NOT p_refused THEN
    DELETE FROM pem.login_throttle WHERE kind = 'user' AND key = left(p_user, 256);
    RETURN;
  END IF;
  INSERT INTO pem.login_throttle AS t (kind, key, window_start, failures)
  VALUES ('user', left(p_user, 256), now(), 1), ('address', left(p_address, 256), now(), 1)
  ON CONFLICT (kind, key) DO UPDATE
     SET failures = CASE WHEN t.window_start > now() - make_interval(secs => p_window_s) THEN t.failures + 1 ELSE 1 END,
         window_start = CASE WHEN t.window_start > now() - make_interval(secs => p_window_s) THEN t.window_start
                             ELSE now() END;
END $$;
