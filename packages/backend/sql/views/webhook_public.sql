-- Webhooks as every reader may see them (security review M5): the URL's origin only (scheme://host[:port];
-- the path and query often are the credential, e.g. Slack/Teams incoming webhooks) and the header names
-- without their values. The full URL is read from pem.webhook, by administrators only.
CREATE OR REPLACE VIEW pem.webhook_public AS
SELECT w.id, w.name, CASE WHEN w.url ~ '^[A-Za-z][A-Za-z0-9+.-]*://'
            THEN regexp_replace(w.url, '^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@]*@)?([^/?#]*).*$', '\1\3') END AS url_origin, w.method,
       ARRAY(SELECT jsonb_object_keys(w.headers)) AS header_names,
       w.payload_template, w.enabled, w.on_low, w.on_medium, w.on_high, w.on_cleared, w.timeout_ms,
       w.max_retries, w.tls_verify, w.created_at, w.updated_at
  FROM pem.webhook w;
