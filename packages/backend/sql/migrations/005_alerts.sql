-- Pharos backend schema, version 5: alerts and notifications (issue 8).
-- Applied once by packages/backend/src/migrations/run.ts. Design, template
-- catalogue and the probe shapes the templates expect: docs/alerts.md. The
-- functions are in sql/functions/alerts/ and notify/, the views for the web
-- application in sql/views/, the built-in templates in
-- sql/catalogue/alert-templates.sql, the privileges in sql/grants/.
--
-- - pem.alert_template (001 stub, grown): templates as data. Template SQL is
--   run with $1 = agent id, $2 = server id, $3 = object (database name; ''
--   = all), $4 = parameters (jsonb: the template's merged with the alert's)
--   and returns one row with a column `value` (double precision; no row or
--   NULL = no data = state none) and optionally `detail` (text).
--   It runs as the NOLOGIN role pharos_alert_reader, which may only read
--   pemdata, pemhistory and the inventory, in a STABLE function: a template
--   can neither write nor read secrets (SMTP password, webhook headers).
-- - pem.alert (001 stub, grown): a template bound to an agent or a server
--   (and an object), with its own operator, thresholds, interval, params,
--   notification settings, state, flapping state and the schedule
--   (next_due). Default alerts are bound by triggers when agents and
--   servers register (sql/functions/alerts/, with their trigger function).
-- - Evaluation: agents on backend hosts call pem.evaluate_due_alerts, which
--   claims due alerts with FOR UPDATE SKIP LOCKED and, in the caller's
--   transaction, evaluates them, records state, history and outbox rows and
--   advances next_due: exactly once per alert and interval, on the primary
--   only (a standby refuses writes), unaffected by how many agents call it.
-- - Notifications: pem.notification_outbox rows are written in the same
--   transaction as the state change; agents claim them with SKIP LOCKED and
--   a lease, deliver (webhook or SMTP), and record each attempt.

-- ---------------------------------------------------------------------------
-- The role template SQL runs as: reads probe data and the inventory only.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pharos_alert_reader') THEN
    CREATE ROLE pharos_alert_reader NOLOGIN;
  END IF;
END $$;

-- ---------------------------------------------------------------------------
-- Settings (one row).
CREATE TABLE pem.alert_settings (
  id                     boolean PRIMARY KEY DEFAULT true CHECK (id),
  -- alert history, problems and evaluation logs older than this are purged (docs/reference/pem-facts.md §3: 30 days)
  history_retention_days integer NOT NULL DEFAULT 30 CHECK (history_retention_days > 0),
  -- delivered or failed outbox rows (and their attempts) older than this are purged
  outbox_retention_days  integer NOT NULL DEFAULT 30 CHECK (outbox_retention_days > 0),
  -- flapping: the last flap_window evaluations are considered; flapping starts when the share of them
  -- that raised or cleared the alert reaches flap_start_ratio, and stops when it falls to flap_stop_ratio
  flap_window            integer NOT NULL DEFAULT 10 CHECK (flap_window BETWEEN 4 AND 30),
  flap_start_ratio       double precision NOT NULL DEFAULT 0.4 CHECK (flap_start_ratio > 0 AND flap_start_ratio <= 1),
  flap_stop_ratio        double precision NOT NULL DEFAULT 0.2 CHECK (flap_stop_ratio >= 0),
  -- no evaluation anywhere for longer than this (s) = the backend was unavailable: heartbeat ages
  -- restart from the moment evaluation resumed (the reference's "alert reconnect delay")
  backend_gap_s          integer NOT NULL DEFAULT 20 CHECK (backend_gap_s > 0),
  -- email: retries after the first attempt (the reference's webhook default is 3 too)
  email_max_retries      integer NOT NULL DEFAULT 3 CHECK (email_max_retries BETWEEN 0 AND 100),
  -- email group used by alerts without one of their own (NULL: no email)
  default_email_group_id integer,
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CHECK (flap_stop_ratio < flap_start_ratio)
);
INSERT INTO pem.alert_settings DEFAULT VALUES;

-- When evaluation last ran anywhere, and when it resumed after a gap (see backend_gap_s).
CREATE TABLE pem.alerting_state (
  id           boolean PRIMARY KEY DEFAULT true CHECK (id),
  last_tick_at timestamptz,
  resumed_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO pem.alerting_state DEFAULT VALUES;

-- Which agents evaluate alerts and send notifications (the reference's "alert threads" and
-- "enable SMTP/webhook notifications"). NULL = the default: yes for agents bound to a backend
-- server (pem.server.is_pem_backend), no for the others.
CREATE TABLE pem.agent_alert_settings (
  agent_id  integer PRIMARY KEY REFERENCES pem.agent (id) ON DELETE CASCADE,
  evaluate  boolean,
  notify    boolean
);

-- ---------------------------------------------------------------------------
-- Templates.
ALTER TABLE pem.alert_template
  ADD COLUMN description text NOT NULL DEFAULT '',
  ADD COLUMN unit        text NOT NULL DEFAULT '',
  ADD COLUMN params      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
  -- bound to every agent (level agent) or server (levels server, database) when it registers
  ADD COLUMN auto_bind   boolean NOT NULL DEFAULT true,
  ADD COLUMN builtin     boolean NOT NULL DEFAULT false,
  -- probes the SQL reads (documentation, and what the web application links to)
  ADD COLUMN probes      text[] NOT NULL DEFAULT '{}',
  ADD COLUMN updated_at  timestamptz NOT NULL DEFAULT now(),
  ADD CONSTRAINT alert_template_interval_positive CHECK (interval_s > 0);

-- ---------------------------------------------------------------------------
-- Email groups, webhooks and the SMTP server.
CREATE TABLE pem.email_group (
  id               serial PRIMARY KEY,
  name             text NOT NULL UNIQUE,
  recipients       text[] NOT NULL CHECK (cardinality(recipients) > 0),
  enabled          boolean NOT NULL DEFAULT true,
  on_low           boolean NOT NULL DEFAULT true,
  on_medium        boolean NOT NULL DEFAULT true,
  on_high          boolean NOT NULL DEFAULT true,
  on_cleared       boolean NOT NULL DEFAULT true,
  -- text templates with %Placeholder%s (docs/alerts.md); NULL = the default subject/body
  subject_template text,
  body_template    text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE pem.alert_settings
  ADD CONSTRAINT alert_settings_default_email_group_fkey FOREIGN KEY (default_email_group_id)
  REFERENCES pem.email_group (id) ON DELETE SET NULL;

CREATE TABLE pem.webhook (
  id               serial PRIMARY KEY,
  name             text NOT NULL UNIQUE,
  url              text NOT NULL CHECK (url ~ '^https?://[^\s/]+'),
  method           text NOT NULL DEFAULT 'POST' CHECK (method IN ('POST', 'PUT')),
  -- extra request headers, name -> value (may hold credentials: not readable by pem_user)
  headers          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(headers) = 'object'),
  -- JSON payload template with %Placeholder%s (docs/alerts.md); NULL = the default payload
  payload_template jsonb,
  enabled          boolean NOT NULL DEFAULT true,
  on_low           boolean NOT NULL DEFAULT true,
  on_medium        boolean NOT NULL DEFAULT true,
  on_high          boolean NOT NULL DEFAULT true,
  on_cleared       boolean NOT NULL DEFAULT true,
  timeout_ms       integer NOT NULL DEFAULT 10000 CHECK (timeout_ms BETWEEN 100 AND 120000),
  -- retries after the first attempt (the reference's maximum webhook retries: 3)
  max_retries      integer NOT NULL DEFAULT 3 CHECK (max_retries BETWEEN 0 AND 100),
  tls_verify       boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pem.smtp_settings (
  id            boolean PRIMARY KEY DEFAULT true CHECK (id),
  enabled       boolean NOT NULL DEFAULT true,
  host          text NOT NULL,
  port          integer NOT NULL DEFAULT 587 CHECK (port BETWEEN 1 AND 65535),
  -- starttls: plain connection upgraded with STARTTLS, required; tls: TLS from the start (465); none: no TLS
  security      text NOT NULL DEFAULT 'starttls' CHECK (security IN ('starttls', 'tls', 'none')),
  user_name     text,
  password      text,
  from_address  text NOT NULL,
  tls_verify    boolean NOT NULL DEFAULT true,
  -- extra CA certificate(s) (PEM) to trust for the SMTP server
  tls_ca_pem    text,
  timeout_ms    integer NOT NULL DEFAULT 15000 CHECK (timeout_ms BETWEEN 100 AND 120000),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------
-- Alerts.
ALTER TABLE pem.alert
  ADD COLUMN object            text NOT NULL DEFAULT '',
  ADD COLUMN operator          text,
  ADD COLUMN low               double precision,
  ADD COLUMN medium            double precision,
  ADD COLUMN high              double precision,
  ADD COLUMN interval_s        integer,
  ADD COLUMN params            jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
  ADD COLUMN is_default        boolean NOT NULL DEFAULT false,
  -- notification settings: to every enabled webhook whose level matches; to an email group
  -- (NULL = the default group of pem.alert_settings); reminders every reminder_s while not none
  -- (0 = none; the reference: every 24 h)
  ADD COLUMN notify_webhooks   boolean NOT NULL DEFAULT true,
  ADD COLUMN notify_email      boolean NOT NULL DEFAULT true,
  ADD COLUMN email_group_id    integer REFERENCES pem.email_group (id) ON DELETE SET NULL,
  ADD COLUMN reminder_s        integer NOT NULL DEFAULT 86400 CHECK (reminder_s >= 0),
  ADD COLUMN flap_detection    boolean NOT NULL DEFAULT true,
  -- keep one row per evaluation in pem.alert_evaluation_log (audit; off by default)
  ADD COLUMN log_evaluations   boolean NOT NULL DEFAULT false,
  -- schedule and figures
  ADD COLUMN next_due          timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN evaluations       bigint NOT NULL DEFAULT 0,
  -- intervals skipped because no evaluation ran within them (e.g. no primary for longer than one interval)
  ADD COLUMN missed_slots      bigint NOT NULL DEFAULT 0,
  ADD COLUMN last_evaluated_at timestamptz,
  ADD COLUMN last_evaluated_by integer,
  ADD COLUMN last_eval_ms      real,
  ADD COLUMN last_value        double precision,
  ADD COLUMN last_detail       text,
  -- state history
  ADD COLUMN previous_state    text CHECK (previous_state IN ('none', 'low', 'medium', 'high')),
  ADD COLUMN raised_at         timestamptz,
  ADD COLUMN cleared_at        timestamptz,
  -- problems (template SQL failed, thresholds out of order, timeout); NULL after a good evaluation
  ADD COLUMN last_error        text,
  ADD COLUMN last_error_at     timestamptz,
  ADD COLUMN error_count       bigint NOT NULL DEFAULT 0,
  -- flapping: bit i set = the evaluation i evaluations ago raised or cleared the alert
  ADD COLUMN flap_bits         integer NOT NULL DEFAULT 0,
  ADD COLUMN flap_seen         integer NOT NULL DEFAULT 0,
  ADD COLUMN flapping          boolean NOT NULL DEFAULT false,
  -- notification events generated so far (part of the idempotency key)
  ADD COLUMN event_seq         bigint NOT NULL DEFAULT 0,
  ADD COLUMN last_notified_at  timestamptz,
  ADD COLUMN last_notified_state text,
  ADD COLUMN acknowledged_at   timestamptz,
  ADD COLUMN acknowledged_by   name,
  ADD COLUMN ack_note          text,
  ADD COLUMN created_at        timestamptz NOT NULL DEFAULT now();

UPDATE pem.alert al SET operator = t.operator, low = t.low, medium = t.medium, high = t.high, interval_s = t.interval_s
  FROM pem.alert_template t WHERE t.name = al.template;
ALTER TABLE pem.alert
  ALTER COLUMN operator SET NOT NULL,
  ALTER COLUMN low SET NOT NULL,
  ALTER COLUMN medium SET NOT NULL,
  ALTER COLUMN high SET NOT NULL,
  ALTER COLUMN interval_s SET NOT NULL,
  ADD CONSTRAINT alert_operator_check CHECK (operator IN ('>', '<')),
  ADD CONSTRAINT alert_interval_positive CHECK (interval_s > 0),
  ADD CONSTRAINT alert_one_object CHECK (num_nonnulls(agent_id, server_id) = 1);
-- Thresholds out of order are NOT a constraint: such an alert is kept, not evaluated, and shown as a
-- problem (pem.alert_problem, pem.alert.last_error); the admin functions refuse them up front.
CREATE UNIQUE INDEX alert_binding_key ON pem.alert (template, coalesce(agent_id, 0), coalesce(server_id, 0), object);
CREATE INDEX alert_due_idx ON pem.alert (next_due) WHERE enabled;
CREATE INDEX alert_server_idx ON pem.alert (server_id) WHERE server_id IS NOT NULL;
CREATE INDEX alert_agent_idx ON pem.alert (agent_id) WHERE agent_id IS NOT NULL;

-- State changes (and flapping start/stop), kept history_retention_days.
CREATE TABLE pem.alert_history (
  id          bigserial PRIMARY KEY,
  alert_id    integer NOT NULL REFERENCES pem.alert (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  event       text NOT NULL CHECK (event IN ('raised', 'changed', 'cleared', 'flapping_started', 'flapping_stopped')),
  old_state   text NOT NULL,
  new_state   text NOT NULL,
  value       double precision,
  detail      text,
  threshold   double precision,
  flapping    boolean NOT NULL,
  -- false when damped (the alert was flapping): recorded, not notified
  notified    boolean NOT NULL,
  agent_id    integer
);
CREATE INDEX alert_history_alert_idx ON pem.alert_history (alert_id, at DESC);
CREATE INDEX alert_history_at_idx ON pem.alert_history (at);

-- Problems: a template query that failed or timed out, thresholds out of order. One row when a
-- problem starts or changes (not one per evaluation); the alert row carries the current one.
CREATE TABLE pem.alert_problem (
  id        bigserial PRIMARY KEY,
  alert_id  integer REFERENCES pem.alert (id) ON DELETE CASCADE,
  template  text,
  kind      text NOT NULL CHECK (kind IN ('template_error', 'thresholds', 'timeout')),
  message   text NOT NULL,
  at        timestamptz NOT NULL DEFAULT now(),
  agent_id  integer
);
CREATE INDEX alert_problem_at_idx ON pem.alert_problem (at DESC);

-- One row per evaluation of alerts with log_evaluations (audit: a duplicate evaluation of a slot
-- would violate the primary key; a missing slot shows as a gap).
CREATE TABLE pem.alert_evaluation_log (
  alert_id     integer NOT NULL REFERENCES pem.alert (id) ON DELETE CASCADE,
  due_at       timestamptz NOT NULL,
  evaluated_at timestamptz NOT NULL,
  agent_id     integer NOT NULL,
  value        double precision,
  state        text NOT NULL,
  PRIMARY KEY (alert_id, due_at)
);
CREATE INDEX alert_evaluation_log_at_idx ON pem.alert_evaluation_log (evaluated_at);

-- ---------------------------------------------------------------------------
-- Notification outbox and delivery attempts.
CREATE TABLE pem.notification_outbox (
  id               bigserial PRIMARY KEY,
  -- what the receiver uses to drop duplicates (Idempotency-Key header, Message-ID): derived from the
  -- alert's event number, so a notification re-made after a lost commit gets the same key
  idempotency_key  text NOT NULL UNIQUE,
  alert_id         integer REFERENCES pem.alert (id) ON DELETE SET NULL,
  channel          text NOT NULL CHECK (channel IN ('webhook', 'email')),
  webhook_id       integer REFERENCES pem.webhook (id) ON DELETE SET NULL,
  email_group_id   integer REFERENCES pem.email_group (id) ON DELETE SET NULL,
  event            text NOT NULL CHECK (event IN ('raised', 'changed', 'cleared', 'reminder',
                                                  'flapping_started', 'flapping_stopped', 'test')),
  -- the placeholders' values (docs/alerts.md), frozen when the event happened
  context          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  max_attempts     integer NOT NULL CHECK (max_attempts > 0),
  created_at       timestamptz NOT NULL DEFAULT now(),
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  lease_agent_id   integer,
  lease_until      timestamptz,
  delivered_at     timestamptz,
  last_status_code integer,
  last_error       text,
  CHECK (num_nonnulls(webhook_id, email_group_id) <= 1)
);
CREATE INDEX notification_outbox_pending_idx ON pem.notification_outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX notification_outbox_created_idx ON pem.notification_outbox (created_at);
CREATE INDEX notification_outbox_alert_idx ON pem.notification_outbox (alert_id);

CREATE TABLE pem.notification_attempt (
  outbox_id    bigint NOT NULL REFERENCES pem.notification_outbox (id) ON DELETE CASCADE,
  attempt      integer NOT NULL,
  agent_id     integer NOT NULL,
  finished_at  timestamptz NOT NULL DEFAULT now(),
  ok           boolean NOT NULL,
  status_code  integer,
  error        text,
  duration_ms  integer,
  PRIMARY KEY (outbox_id, attempt)
);
CREATE INDEX notification_attempt_finished_idx ON pem.notification_attempt (finished_at DESC);
