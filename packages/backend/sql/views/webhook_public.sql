-- Webhooks without their header values (which may hold credentials): header names only.
CREATE OR REPLACE VIEW pem.webhook_public AS
SELECT w.id, w.name, w.url, w.method, ARRAY(SELECT jsonb_object_keys(w.headers)) AS header_names,
       w.payload_template, w.enabled, w.on_low, w.on_medium, w.on_high, w.on_cleared, w.timeout_ms,
       w.max_retries, w.tls_verify, w.created_at, w.updated_at
  FROM pem.webhook w;
