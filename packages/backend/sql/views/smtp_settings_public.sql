-- The SMTP settings without the password (write-only): whether one is set.
CREATE OR REPLACE VIEW pem.smtp_settings_public AS
SELECT s.id, s.enabled, s.host, s.port, s.security, s.user_name, s.password IS NOT NULL AS password_set,
       s.from_address, s.tls_verify, s.tls_ca_pem, s.timeout_ms, s.updated_at
  FROM pem.smtp_settings s;
