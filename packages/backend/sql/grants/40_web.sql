-- The web instances keep sessions and preferences in the database, so that
-- any instance serves any session.
GRANT SELECT, INSERT, UPDATE, DELETE ON pem.web_session, pem.user_preference TO pem_web;
