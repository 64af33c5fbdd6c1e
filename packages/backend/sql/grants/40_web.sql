-- The web instances keep sessions and preferences in the database, so that
-- any instance serves any session.
GRANT SELECT, INSERT, UPDATE, DELETE ON pem.web_session, pem.user_preference TO pem_web;
-- API tokens (issue 18): made, listed, revoked and checked at each use by the web instances;
-- never deleted (a revoked or expired token stays listed).
GRANT SELECT, INSERT, UPDATE ON pem.api_token TO pem_web;
GRANT USAGE ON SEQUENCE pem.api_token_id_seq TO pem_web;
-- Login throttling and the credential a session was made with (security review L4, L5): the web
-- instances call these; the table and pg_authid stay out of their reach.
GRANT EXECUTE ON FUNCTION
  pem.login_throttle_wait(text, text, integer, integer, integer),
  pem.login_throttle_record(text, text, boolean, integer),
  pem.role_credential_epoch(name)
  TO pem_web;
