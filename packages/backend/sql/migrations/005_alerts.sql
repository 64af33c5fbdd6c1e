-- Pharos backend schema, version 5: alerts and notifications (issue 8).
-- Applied once, in one transaction, by packages/server/src/migrations/run.ts.
-- Design, template catalogue and the probe shapes the templates expect:
-- docs/alerts.md.
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
--   servers register.
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

-- ---------------------------------------------------------------------------
-- Pure helpers.

-- The state a value puts an alert in: '>' raises when value > threshold, '<' when value < threshold;
-- the highest level whose threshold is crossed wins; NULL (no data) = none.
CREATE FUNCTION pem.alert_state_for(p_value double precision, p_operator text,
                                    p_low double precision, p_medium double precision, p_high double precision)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE
    WHEN p_value IS NULL THEN 'none'
    WHEN p_operator = '>' THEN CASE WHEN p_value > p_high THEN 'high' WHEN p_value > p_medium THEN 'medium'
                                    WHEN p_value > p_low THEN 'low' ELSE 'none' END
    ELSE CASE WHEN p_value < p_high THEN 'high' WHEN p_value < p_medium THEN 'medium'
              WHEN p_value < p_low THEN 'low' ELSE 'none' END
  END
$$;

-- NULL when the thresholds suit the operator ('>': low <= medium <= high; '<': low >= medium >= high),
-- else a message naming them.
CREATE FUNCTION pem.alert_thresholds_problem(p_operator text, p_low double precision,
                                             p_medium double precision, p_high double precision)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE
    WHEN p_operator NOT IN ('>', '<') THEN format('operator %L is neither > nor <', p_operator)
    WHEN p_low IS NULL OR p_medium IS NULL OR p_high IS NULL THEN 'all three thresholds are required'
    WHEN p_operator = '>' AND NOT (p_low <= p_medium AND p_medium <= p_high)
      THEN format('thresholds out of order for operator >: low %s, medium %s, high %s (need low <= medium <= high)',
                  p_low, p_medium, p_high)
    WHEN p_operator = '<' AND NOT (p_low >= p_medium AND p_medium >= p_high)
      THEN format('thresholds out of order for operator <: low %s, medium %s, high %s (need low >= medium >= high)',
                  p_low, p_medium, p_high)
  END
$$;

-- Number of set bits of a non-negative integer (bit_count() needs PostgreSQL 14).
CREATE FUNCTION pem.bit_count32(p integer)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT length(replace(p::bit(32)::text, '0', ''))
$$;

-- Runs a template's SQL with $1 agent id, $2 server id, $3 object, $4 params; returns its `value`
-- and `detail` (NULLs when it returned no row). Owned by pharos_alert_reader (below) and STABLE:
-- template SQL can only read what that role may read and cannot write.
-- Errors: 42703 when the row has no column named value; the template's own errors.
CREATE FUNCTION pem.alert_template_value(p_sql text, p_agent_id integer, p_server_id integer, p_object text,
                                         p_params jsonb, OUT value double precision, OUT detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
  n bigint;
  j jsonb;
BEGIN
  EXECUTE p_sql INTO r USING p_agent_id, p_server_id, p_object, p_params;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n = 0 THEN
    RETURN;
  END IF;
  j := to_jsonb(r);
  IF NOT j ? 'value' THEN
    RAISE EXCEPTION 'template query must return a column named "value" (it returned: %)',
      (SELECT string_agg(k, ', ') FROM jsonb_object_keys(j) k) USING ERRCODE = '42703';
  END IF;
  value := (j ->> 'value')::double precision;
  detail := j ->> 'detail';
END $$;

-- ---------------------------------------------------------------------------
-- Default bindings.

-- Binds every auto_bind template of the agent level to agent p_agent_id (NULL = every agent), and of
-- the server and database levels to server p_server_id (NULL = every server). Existing bindings are
-- kept. Thresholds, operator and interval are copied from the template; the first evaluation is
-- spread over one interval. Returns the number of alerts created.
CREATE FUNCTION pem.bind_default_alerts(p_agent_id integer DEFAULT NULL, p_server_id integer DEFAULT NULL,
                                        p_agents boolean DEFAULT true, p_servers boolean DEFAULT true)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n integer := 0;
  m integer;
BEGIN
  IF p_agents THEN
    INSERT INTO pem.alert (template, agent_id, server_id, object, operator, low, medium, high, interval_s,
                           is_default, next_due)
    SELECT t.name, a.id, NULL, '', t.operator, t.low, t.medium, t.high, t.interval_s, true,
           now() + random() * make_interval(secs => t.interval_s)
      FROM pem.alert_template t CROSS JOIN pem.agent a
     WHERE t.auto_bind AND t.level = 'agent' AND (p_agent_id IS NULL OR a.id = p_agent_id)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS m = ROW_COUNT;
    n := n + m;
  END IF;
  IF p_servers THEN
    INSERT INTO pem.alert (template, agent_id, server_id, object, operator, low, medium, high, interval_s,
                           is_default, next_due)
    SELECT t.name, NULL, s.id, '', t.operator, t.low, t.medium, t.high, t.interval_s, true,
           now() + random() * make_interval(secs => t.interval_s)
      FROM pem.alert_template t CROSS JOIN pem.server s
     WHERE t.auto_bind AND t.level IN ('server', 'database') AND (p_server_id IS NULL OR s.id = p_server_id)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS m = ROW_COUNT;
    n := n + m;
  END IF;
  RETURN n;
END $$;

CREATE FUNCTION pem.alert_bind_on_register() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'agent' THEN
    PERFORM pem.bind_default_alerts(NEW.id, NULL, true, false);
  ELSE
    PERFORM pem.bind_default_alerts(NULL, NEW.id, false, true);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER agent_default_alerts AFTER INSERT ON pem.agent
  FOR EACH ROW EXECUTE FUNCTION pem.alert_bind_on_register();
CREATE TRIGGER server_default_alerts AFTER INSERT ON pem.server
  FOR EACH ROW EXECUTE FUNCTION pem.alert_bind_on_register();

-- Re-enabling an alert or changing its interval starts its schedule afresh (no "missed" slots for
-- the time it was off); any state change clears an acknowledgement (done in evaluation).
CREATE FUNCTION pem.alert_reschedule() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF (NEW.enabled AND NOT OLD.enabled) OR NEW.interval_s <> OLD.interval_s THEN
    NEW.next_due := now();
  END IF;
  IF NOT NEW.enabled AND OLD.enabled THEN
    NEW.state := 'none';
    NEW.flapping := false;
    NEW.flap_bits := 0;
    NEW.flap_seen := 0;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER alert_reschedule BEFORE UPDATE OF enabled, interval_s ON pem.alert
  FOR EACH ROW EXECUTE FUNCTION pem.alert_reschedule();

-- ---------------------------------------------------------------------------
-- Who works: agents on backend hosts by default.

-- What agent p_agent_id does: evaluate alerts, send notifications. Errors: 42501 when the caller is
-- not the agent's registered database user or the agent is not active.
CREATE FUNCTION pem.alert_worker_settings(p_agent_id integer, OUT evaluate boolean, OUT notify boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_backend boolean;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = p_agent_id AND active AND user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not work for agent % (not its registered user, or the agent is inactive)',
      session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  v_backend := EXISTS (SELECT 1 FROM pem.server_binding b JOIN pem.server s ON s.id = b.server_id
                        WHERE b.agent_id = p_agent_id AND s.is_pem_backend);
  SELECT coalesce(st.evaluate, v_backend), coalesce(st.notify, v_backend) INTO evaluate, notify
    FROM (SELECT 1) one LEFT JOIN pem.agent_alert_settings st ON st.agent_id = p_agent_id;
END $$;

-- Raises 42501 unless agent p_agent_id may do p_what ('evaluate' or 'notify').
CREATE FUNCTION pem.require_alert_worker(p_agent_id integer, p_what text)
RETURNS void LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s record;
BEGIN
  s := pem.alert_worker_settings(p_agent_id);
  IF (p_what = 'evaluate' AND NOT s.evaluate) OR (p_what = 'notify' AND NOT s.notify) THEN
    RAISE EXCEPTION 'agent % is not configured to % (pem.agent_alert_settings; default: backend agents only)',
      p_agent_id, CASE p_what WHEN 'evaluate' THEN 'evaluate alerts' ELSE 'send notifications' END
      USING ERRCODE = '42501';
  END IF;
END $$;

-- ---------------------------------------------------------------------------
-- Notifications: the context (placeholders' values) and the outbox rows of one event.

-- The placeholders' values for alert p_alert_id (docs/alerts.md lists them).
CREATE FUNCTION pem.alert_context(p_alert_id integer, p_event text, p_old_state text, p_new_state text,
                                  p_value double precision, p_detail text, p_flapping boolean,
                                  p_raised_at timestamptz, p_seq bigint)
RETURNS jsonb LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT jsonb_build_object(
    'alert_id', al.id, 'alert_name', t.name, 'alert_level', t.level, 'description', t.description,
    'unit', t.unit, 'object', al.object,
    'object_name', CASE WHEN al.server_id IS NULL THEN ag.display_name
                        WHEN al.object = '' THEN s.display_name ELSE s.display_name || '/' || al.object END,
    'agent_id', coalesce(al.agent_id, b.agent_id), 'agent_name', ag.display_name,
    'server_id', al.server_id, 'server_name', s.display_name,
    'database_name', CASE WHEN t.level = 'database' THEN nullif(al.object, '') END,
    'operator', al.operator, 'low_threshold', al.low, 'medium_threshold', al.medium, 'high_threshold', al.high,
    'threshold', CASE p_new_state WHEN 'high' THEN al.high WHEN 'medium' THEN al.medium
                                  WHEN 'low' THEN al.low END,
    'current_value', p_value, 'detail', p_detail, 'current_state', p_new_state, 'previous_state', p_old_state,
    'event', p_event, 'flapping', p_flapping, 'raised_at', p_raised_at, 'event_at', now(),
    'event_seq', p_seq)
  FROM pem.alert al
  JOIN pem.alert_template t ON t.name = al.template
  LEFT JOIN pem.server s ON s.id = al.server_id
  LEFT JOIN pem.server_binding b ON b.server_id = al.server_id
  LEFT JOIN pem.agent ag ON ag.id = coalesce(al.agent_id, b.agent_id)
  WHERE al.id = p_alert_id
$$;

-- Writes the outbox rows of one event of alert p_alert_id: one per enabled webhook whose level
-- flag matches (when the alert notifies webhooks) and one for its email group (when SMTP is set up
-- and enabled). p_level is the level that routes it: low, medium, high or cleared. Keys are
-- pharos-a<alert>-e<seq>-<event>-<state>-w<webhook>|g<group>. Returns the number of rows written.
CREATE FUNCTION pem.enqueue_alert_event(p_alert_id integer, p_event text, p_level text, p_new_state text,
                                        p_seq bigint, p_context jsonb)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a record;
  n integer := 0;
  m integer;
  v_group integer;
BEGIN
  SELECT notify_webhooks, notify_email, email_group_id INTO a FROM pem.alert WHERE id = p_alert_id;
  IF a.notify_webhooks THEN
    INSERT INTO pem.notification_outbox (idempotency_key, alert_id, channel, webhook_id, event, context, max_attempts)
    SELECT format('pharos-a%s-e%s-%s-%s-w%s', p_alert_id, p_seq, p_event, p_new_state, w.id), p_alert_id,
           'webhook', w.id, p_event, p_context, w.max_retries + 1
      FROM pem.webhook w
     WHERE w.enabled AND CASE p_level WHEN 'high' THEN w.on_high WHEN 'medium' THEN w.on_medium
                                      WHEN 'low' THEN w.on_low ELSE w.on_cleared END
    ON CONFLICT (idempotency_key) DO NOTHING;
    GET DIAGNOSTICS m = ROW_COUNT;
    n := n + m;
  END IF;
  IF a.notify_email AND EXISTS (SELECT 1 FROM pem.smtp_settings WHERE enabled) THEN
    v_group := coalesce(a.email_group_id, (SELECT default_email_group_id FROM pem.alert_settings));
    INSERT INTO pem.notification_outbox (idempotency_key, alert_id, channel, email_group_id, event, context, max_attempts)
    SELECT format('pharos-a%s-e%s-%s-%s-g%s', p_alert_id, p_seq, p_event, p_new_state, g.id), p_alert_id,
           'email', g.id, p_event, p_context, (SELECT email_max_retries FROM pem.alert_settings) + 1
      FROM pem.email_group g
     WHERE g.id = v_group AND g.enabled
       AND CASE p_level WHEN 'high' THEN g.on_high WHEN 'medium' THEN g.on_medium
                        WHEN 'low' THEN g.on_low ELSE g.on_cleared END
    ON CONFLICT (idempotency_key) DO NOTHING;
    GET DIAGNOSTICS m = ROW_COUNT;
    n := n + m;
  END IF;
  RETURN n;
END $$;

-- ---------------------------------------------------------------------------
-- Evaluation.

-- Next due time after the slot due at p_due, evaluated now (the slots are p_due + k * interval).
-- On time (now before the next slot): the next slot. Late: the slot now falls in is still
-- evaluated (at once, as a catch-up), so a gap shorter than one interval (a switchover, a
-- failover, an agent restart) misses nothing; slots before it are skipped and counted as missed.
CREATE FUNCTION pem.alert_next_slot(p_due timestamptz, p_interval_s integer, OUT next_due timestamptz,
                                    OUT missed bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT p_due + greatest(k, 1) * make_interval(secs => p_interval_s), greatest(k - 1, 0)
    FROM (SELECT greatest(0, floor(extract(epoch FROM now() - p_due) / p_interval_s))::bigint AS k) x
$$;

-- Records a problem of alert p_alert (locked by the caller): the alert keeps its state, its
-- schedule moves on, the problem shows in pem.alert.last_error and (when new or changed) in
-- pem.alert_problem. Returns nothing.
CREATE FUNCTION pem.alert_record_problem(p_alert pem.alert, p_agent_id integer, p_kind text, p_message text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_slot record;
BEGIN
  v_slot := pem.alert_next_slot(p_alert.next_due, p_alert.interval_s);
  IF p_alert.last_error IS DISTINCT FROM p_message THEN
    INSERT INTO pem.alert_problem (alert_id, template, kind, message, agent_id)
    VALUES (p_alert.id, p_alert.template, p_kind, p_message, p_agent_id);
  END IF;
  UPDATE pem.alert SET last_error = p_message, last_error_at = now(), error_count = error_count + 1,
         evaluations = evaluations + 1, missed_slots = missed_slots + v_slot.missed, next_due = v_slot.next_due,
         last_evaluated_at = now(), last_evaluated_by = p_agent_id
   WHERE id = p_alert.id;
END $$;

-- Evaluates one alert locked by the caller, as of now(): runs the template, moves the state,
-- damps flapping, writes history and outbox rows, advances next_due. Returns the number of outbox
-- rows written, or -1 when the alert has a problem (recorded). A template error is caught; a
-- statement timeout (57014) is not: it cancels the caller's whole transaction.
CREATE FUNCTION pem.evaluate_alert_locked(p_alert pem.alert, p_agent_id integer, p_settings pem.alert_settings)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a pem.alert := p_alert;
  t pem.alert_template;
  v_started timestamptz := clock_timestamp();
  v_problem text;
  v_kind text := 'thresholds';
  v_value double precision;
  v_detail text;
  v_new text;
  v_changed boolean;
  v_bits integer;
  v_seen integer;
  v_ratio double precision;
  v_flapping boolean;
  v_flap_event text;
  v_event text;
  v_level text;
  v_seq bigint := a.event_seq;
  v_raised timestamptz := a.raised_at;
  v_slot record;
  v_agent integer;
  n integer := 0;
BEGIN
  SELECT * INTO t FROM pem.alert_template WHERE name = a.template;
  v_problem := pem.alert_thresholds_problem(a.operator, a.low, a.medium, a.high);
  IF v_problem IS NULL THEN
    v_agent := coalesce(a.agent_id, (SELECT agent_id FROM pem.server_binding WHERE server_id = a.server_id));
    BEGIN
      SELECT r.value, r.detail INTO v_value, v_detail
        FROM pem.alert_template_value(t.sql, v_agent, a.server_id, a.object, t.params || a.params) r;
    EXCEPTION WHEN OTHERS THEN
      v_kind := 'template_error';
      v_problem := format('template %L failed: %s (SQLSTATE %s)', t.name, SQLERRM, SQLSTATE);
    END;
  END IF;
  IF v_problem IS NOT NULL THEN
    PERFORM pem.alert_record_problem(a, p_agent_id, v_kind, v_problem);
    RETURN -1;
  END IF;

  v_new := pem.alert_state_for(v_value, a.operator, a.low, a.medium, a.high);
  v_changed := v_new <> a.state;
  -- flapping: share of the last flap_window evaluations that raised or cleared the alert (moving
  -- between low, medium and high is escalation, not flapping)
  v_bits := ((a.flap_bits << 1) | ((a.state = 'none') <> (v_new = 'none'))::integer)
            & ((1 << p_settings.flap_window) - 1);
  v_seen := least(a.flap_seen + 1, p_settings.flap_window);
  v_ratio := pem.bit_count32(v_bits)::double precision / p_settings.flap_window;
  v_flapping := a.flapping;
  IF a.flap_detection AND NOT a.flapping AND v_ratio >= p_settings.flap_start_ratio THEN
    v_flapping := true;
    v_flap_event := 'flapping_started';
  ELSIF a.flapping AND (NOT a.flap_detection OR v_ratio <= p_settings.flap_stop_ratio) THEN
    v_flapping := false;
    v_flap_event := 'flapping_stopped';
  END IF;

  IF v_changed AND a.state = 'none' THEN
    v_raised := now();
  END IF;
  IF v_flap_event IS NOT NULL THEN
    v_event := v_flap_event;
  ELSIF v_flapping THEN
    v_event := NULL; -- damped: recorded in the history, not notified
  ELSIF v_changed THEN
    v_event := CASE WHEN a.state = 'none' THEN 'raised' WHEN v_new = 'none' THEN 'cleared' ELSE 'changed' END;
  ELSIF v_new <> 'none' AND a.reminder_s > 0 AND a.acknowledged_at IS NULL
        AND coalesce(a.last_notified_at, a.changed_at) + make_interval(secs => a.reminder_s) <= now() THEN
    v_event := 'reminder';
  END IF;

  IF v_changed OR v_flap_event IS NOT NULL THEN
    INSERT INTO pem.alert_history (alert_id, event, old_state, new_state, value, detail, threshold, flapping,
                                   notified, agent_id)
    VALUES (a.id,
            coalesce(v_flap_event, CASE WHEN a.state = 'none' THEN 'raised' WHEN v_new = 'none' THEN 'cleared'
                                        ELSE 'changed' END),
            a.state, v_new, v_value, v_detail,
            CASE v_new WHEN 'high' THEN a.high WHEN 'medium' THEN a.medium WHEN 'low' THEN a.low END,
            v_flapping, v_event IS NOT NULL, p_agent_id);
  END IF;

  IF v_event IS NOT NULL THEN
    v_seq := v_seq + 1;
    v_level := CASE WHEN v_new = 'none' THEN 'cleared' ELSE v_new END;
    n := pem.enqueue_alert_event(a.id, v_event, v_level, v_new, v_seq,
           pem.alert_context(a.id, v_event, CASE WHEN v_event = 'reminder' THEN a.previous_state ELSE a.state END,
                             v_new, v_value, v_detail, v_flapping, v_raised, v_seq));
  END IF;

  v_slot := pem.alert_next_slot(a.next_due, a.interval_s);
  IF a.log_evaluations THEN
    INSERT INTO pem.alert_evaluation_log (alert_id, due_at, evaluated_at, agent_id, value, state)
    VALUES (a.id, a.next_due, clock_timestamp(), p_agent_id, v_value, v_new);
  END IF;
  UPDATE pem.alert SET
      state = v_new,
      previous_state = CASE WHEN v_changed THEN a.state ELSE previous_state END,
      changed_at = CASE WHEN v_changed THEN now() ELSE changed_at END,
      raised_at = v_raised,
      cleared_at = CASE WHEN v_changed AND v_new = 'none' THEN now() ELSE cleared_at END,
      acknowledged_at = CASE WHEN v_changed THEN NULL ELSE acknowledged_at END,
      acknowledged_by = CASE WHEN v_changed THEN NULL ELSE acknowledged_by END,
      ack_note = CASE WHEN v_changed THEN NULL ELSE ack_note END,
      last_value = v_value, last_detail = v_detail,
      last_evaluated_at = now(), last_evaluated_by = p_agent_id,
      last_eval_ms = extract(epoch FROM clock_timestamp() - v_started) * 1000,
      evaluations = evaluations + 1, missed_slots = missed_slots + v_slot.missed, next_due = v_slot.next_due,
      last_error = NULL,
      flap_bits = v_bits, flap_seen = v_seen, flapping = v_flapping,
      event_seq = v_seq,
      last_notified_at = CASE WHEN v_event IS NOT NULL THEN now() ELSE last_notified_at END,
      last_notified_state = CASE WHEN v_event IS NOT NULL THEN v_new ELSE last_notified_state END
   WHERE id = a.id;
  RETURN n;
END $$;

-- Marks the evaluation clock; after a gap longer than backend_gap_s (the backend was unreachable, or
-- no evaluating agent ran) resumed_at moves to now(), so heartbeat ages restart there. Skips when
-- another worker holds the row (it is ticking).
CREATE FUNCTION pem.alerting_tick(p_gap_s integer)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s record;
BEGIN
  SELECT * INTO s FROM pem.alerting_state WHERE id FOR UPDATE SKIP LOCKED;
  IF NOT FOUND OR s.last_tick_at >= now() - interval '1 second' THEN
    RETURN;
  END IF;
  UPDATE pem.alerting_state
     SET resumed_at = CASE WHEN s.last_tick_at IS NULL OR s.last_tick_at < now() - make_interval(secs => p_gap_s)
                           THEN now() ELSE resumed_at END,
         last_tick_at = now()
   WHERE id;
END $$;

-- Claims up to p_limit due alerts (enabled, next_due <= now(); p_alert_id: only that one) that no
-- other transaction holds, evaluates each and records the outcome, all in the caller's transaction.
-- Call it from an agent allowed to evaluate (pem.alert_worker_settings); errors: 42501 otherwise.
-- Returns the number evaluated, how many had a problem, the outbox rows written, and whether the
-- batch was full (more may be due).
CREATE FUNCTION pem.evaluate_due_alerts(p_agent_id integer, p_limit integer DEFAULT 100,
                                        p_alert_id integer DEFAULT NULL)
RETURNS TABLE (evaluated integer, problems integer, notifications integer, more boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  st pem.alert_settings;
  a pem.alert;
  r integer;
BEGIN
  PERFORM pem.require_alert_worker(p_agent_id, 'evaluate');
  SELECT * INTO st FROM pem.alert_settings WHERE id;
  PERFORM pem.alerting_tick(st.backend_gap_s);
  evaluated := 0;
  problems := 0;
  notifications := 0;
  FOR a IN
    SELECT * FROM pem.alert al
     WHERE al.enabled AND al.next_due <= now() AND (p_alert_id IS NULL OR al.id = p_alert_id)
     ORDER BY al.next_due, al.id
     LIMIT p_limit
     FOR UPDATE SKIP LOCKED
  LOOP
    r := pem.evaluate_alert_locked(a, p_agent_id, st);
    evaluated := evaluated + 1;
    IF r < 0 THEN
      problems := problems + 1;
    ELSE
      notifications := notifications + r;
    END IF;
  END LOOP;
  more := evaluated >= p_limit;
  RETURN NEXT;
END $$;

-- Ids of up to p_limit due alerts, oldest first, without locking (for evaluating one at a time after a
-- batch timed out). Errors: 42501 as pem.evaluate_due_alerts.
CREATE FUNCTION pem.due_alert_ids(p_agent_id integer, p_limit integer DEFAULT 100)
RETURNS integer[] LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pem.require_alert_worker(p_agent_id, 'evaluate');
  RETURN ARRAY(SELECT id FROM pem.alert WHERE enabled AND next_due <= now() ORDER BY next_due, id LIMIT p_limit);
END $$;

-- Records that alert p_alert_id could not be evaluated (e.g. its template query ran past the
-- statement timeout), if it is still due and no one else holds it: a problem of kind timeout, state
-- kept, schedule advanced. Returns true when recorded.
CREATE FUNCTION pem.record_alert_failure(p_agent_id integer, p_alert_id integer, p_message text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a pem.alert;
BEGIN
  PERFORM pem.require_alert_worker(p_agent_id, 'evaluate');
  SELECT * INTO a FROM pem.alert WHERE id = p_alert_id AND enabled AND next_due <= now() FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  PERFORM pem.alert_record_problem(a, p_agent_id, 'timeout', left(p_message, 2000));
  RETURN true;
END $$;

-- ---------------------------------------------------------------------------
-- Delivery.

-- Claims up to p_limit pending notifications whose time has come and whose lease (if any) ran out,
-- leasing them to agent p_agent_id for p_lease_s seconds and counting the attempt. Returns each
-- with what delivery needs: the channel's target (webhook: url, method, headers, payload_template,
-- timeout_ms, tls_verify; email: recipients, subject/body templates, and the SMTP settings) or NULL
-- when the target was deleted. Errors: 42501 unless the agent may send notifications.
CREATE FUNCTION pem.claim_notifications(p_agent_id integer, p_limit integer DEFAULT 20, p_lease_s integer DEFAULT 120)
RETURNS TABLE (id bigint, idempotency_key text, channel text, event text, attempt integer,
               max_attempts integer, context jsonb, target jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
BEGIN
  PERFORM pem.require_alert_worker(p_agent_id, 'notify');
  RETURN QUERY
  WITH c AS (
    SELECT o.id, o.webhook_id, o.email_group_id FROM pem.notification_outbox o
     WHERE o.status = 'pending' AND o.next_attempt_at <= now() AND (o.lease_until IS NULL OR o.lease_until < now())
     ORDER BY o.next_attempt_at, o.id
     LIMIT p_limit
     FOR UPDATE SKIP LOCKED
  ), u AS (
    UPDATE pem.notification_outbox o
       SET lease_agent_id = p_agent_id, lease_until = now() + make_interval(secs => p_lease_s),
           attempts = o.attempts + 1
      FROM c
     WHERE o.id = c.id
    RETURNING o.id, o.idempotency_key, o.channel, o.event, o.attempts, o.max_attempts, o.context,
              o.webhook_id, o.email_group_id
  )
  SELECT u.id, u.idempotency_key, u.channel, u.event, u.attempts, u.max_attempts, u.context,
         CASE u.channel
           WHEN 'webhook' THEN (SELECT jsonb_build_object('id', w.id, 'name', w.name, 'url', w.url, 'method', w.method,
                                        'headers', w.headers, 'payload_template', w.payload_template,
                                        'timeout_ms', w.timeout_ms, 'tls_verify', w.tls_verify)
                                  FROM pem.webhook w WHERE w.id = u.webhook_id)
           ELSE (SELECT jsonb_build_object('id', g.id, 'name', g.name, 'recipients', to_jsonb(g.recipients),
                         'subject_template', g.subject_template, 'body_template', g.body_template,
                         'smtp', (SELECT jsonb_build_object('enabled', s.enabled, 'host', s.host, 'port', s.port,
                                         'security', s.security, 'user_name', s.user_name, 'password', s.password,
                                         'from_address', s.from_address, 'tls_verify', s.tls_verify,
                                         'tls_ca_pem', s.tls_ca_pem, 'timeout_ms', s.timeout_ms)
                                    FROM pem.smtp_settings s WHERE s.id))
                   FROM pem.email_group g WHERE g.id = u.email_group_id)
         END
    FROM u ORDER BY u.id;
END $$;

-- Records attempt p_attempt of notification p_id by agent p_agent_id (once: a repeated call is a
-- no-op) and moves the notification on: delivered on success (whoever holds the lease); on failure,
-- when the attempt is still the current claim: failed when p_permanent or attempts are used up,
-- else pending again after p_retry_in_s seconds. Returns the notification's status afterwards.
CREATE FUNCTION pem.finish_notification(p_agent_id integer, p_id bigint, p_attempt integer, p_ok boolean,
                                        p_status_code integer, p_error text, p_duration_ms integer,
                                        p_retry_in_s double precision, p_permanent boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  o pem.notification_outbox;
BEGIN
  PERFORM pem.require_alert_worker(p_agent_id, 'notify');
  SELECT * INTO o FROM pem.notification_outbox WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  INSERT INTO pem.notification_attempt (outbox_id, attempt, agent_id, ok, status_code, error, duration_ms)
  VALUES (p_id, p_attempt, p_agent_id, p_ok, p_status_code, left(p_error, 2000), p_duration_ms)
  ON CONFLICT (outbox_id, attempt) DO NOTHING;
  IF NOT FOUND OR o.status <> 'pending' THEN
    RETURN o.status;
  END IF;
  IF p_ok THEN
    UPDATE pem.notification_outbox SET status = 'delivered', delivered_at = now(), last_status_code = p_status_code,
           last_error = NULL, lease_agent_id = NULL, lease_until = NULL
     WHERE id = p_id;
    RETURN 'delivered';
  END IF;
  IF o.attempts <> p_attempt OR o.lease_agent_id IS DISTINCT FROM p_agent_id THEN
    -- someone else claimed it since (our lease ran out): only the attempt is recorded
    UPDATE pem.notification_outbox SET last_status_code = p_status_code, last_error = left(p_error, 2000)
     WHERE id = p_id;
    RETURN o.status;
  END IF;
  UPDATE pem.notification_outbox
     SET status = CASE WHEN p_permanent OR o.attempts >= o.max_attempts THEN 'failed' ELSE 'pending' END,
         next_attempt_at = now() + make_interval(secs => greatest(p_retry_in_s, 0)),
         last_status_code = p_status_code, last_error = left(p_error, 2000),
         lease_agent_id = NULL, lease_until = NULL
   WHERE id = p_id
  RETURNING status INTO o.status;
  RETURN o.status;
END $$;

-- ---------------------------------------------------------------------------
-- Housekeeping (retention), run by whichever evaluating agent finds the job due; the job row is
-- claimed with SKIP LOCKED, so it runs once per interval. Returns rows deleted (NULL when not due).
INSERT INTO pem.job (name, interval_s) VALUES ('alert_housekeeping', 3600) ON CONFLICT (name) DO NOTHING;

CREATE FUNCTION pem.alert_housekeeping(p_agent_id integer)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  j pem.job;
  st pem.alert_settings;
  n bigint := 0;
  m bigint;
BEGIN
  PERFORM pem.require_alert_worker(p_agent_id, 'evaluate');
  SELECT * INTO j FROM pem.job WHERE name = 'alert_housekeeping'
     AND (last_run_at IS NULL OR last_run_at + make_interval(secs => interval_s) <= now())
     FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT * INTO st FROM pem.alert_settings WHERE id;
  DELETE FROM pem.alert_history WHERE at < now() - make_interval(days => st.history_retention_days);
  GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
  DELETE FROM pem.alert_problem WHERE at < now() - make_interval(days => st.history_retention_days);
  GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
  DELETE FROM pem.alert_evaluation_log WHERE evaluated_at < now() - make_interval(days => st.history_retention_days);
  GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
  DELETE FROM pem.notification_outbox WHERE status <> 'pending'
     AND created_at < now() - make_interval(days => st.outbox_retention_days);
  GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
  UPDATE pem.job SET last_run_at = now(), last_status = 'ok', last_error = NULL WHERE name = j.name;
  RETURN n;
END $$;

-- ---------------------------------------------------------------------------
-- Administration (the web application, as pem_web or pem_admin).

-- Checks a template query: runs it as pharos_alert_reader with the given arguments (default: no
-- agent/server, object '', params {}) and returns NULL when it ran, else the error message.
CREATE FUNCTION pem.check_alert_template(p_sql text, p_agent_id integer DEFAULT NULL, p_server_id integer DEFAULT NULL,
                                         p_object text DEFAULT '', p_params jsonb DEFAULT '{}')
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pem.alert_template_value(p_sql, p_agent_id, p_server_id, p_object, p_params);
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  RETURN format('%s (SQLSTATE %s)', SQLERRM, SQLSTATE);
END $$;

-- Queues a test notification to webhook p_webhook_id or email group p_email_group_id (one of them),
-- delivered by the agents like any other. Returns the outbox id.
CREATE FUNCTION pem.enqueue_test_notification(p_webhook_id integer, p_email_group_id integer DEFAULT NULL,
                                              p_requested_by name DEFAULT session_user)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_id bigint;
  v_max integer;
BEGIN
  IF num_nonnulls(p_webhook_id, p_email_group_id) <> 1 THEN
    RAISE EXCEPTION 'name exactly one of a webhook and an email group' USING ERRCODE = '22023';
  END IF;
  IF p_webhook_id IS NOT NULL THEN
    SELECT max_retries + 1 INTO v_max FROM pem.webhook WHERE id = p_webhook_id;
  ELSE
    SELECT email_max_retries + 1 INTO v_max FROM pem.alert_settings, pem.email_group g WHERE g.id = p_email_group_id;
  END IF;
  IF v_max IS NULL THEN
    RAISE EXCEPTION 'no webhook % / email group %', p_webhook_id, p_email_group_id USING ERRCODE = '02000';
  END IF;
  INSERT INTO pem.notification_outbox (idempotency_key, channel, webhook_id, email_group_id, event, context, max_attempts)
  VALUES ('pharos-test-' || gen_random_uuid(), CASE WHEN p_webhook_id IS NULL THEN 'email' ELSE 'webhook' END,
          p_webhook_id, p_email_group_id, 'test',
          jsonb_build_object('alert_id', NULL, 'alert_name', 'Pharos test notification', 'alert_level', 'agent',
                             'object_name', 'test', 'current_state', 'none', 'previous_state', 'none',
                             'event', 'test', 'event_at', now(), 'detail', 'requested by ' || p_requested_by),
          v_max)
  RETURNING id INTO v_id;
  RETURN v_id;
END $$;

-- Puts a failed notification back in the queue for one more round of attempts. Returns true when it did.
CREATE FUNCTION pem.requeue_notification(p_id bigint)
RETURNS boolean LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH u AS (
    UPDATE pem.notification_outbox SET status = 'pending', next_attempt_at = now(),
           max_attempts = attempts + greatest(1, max_attempts), lease_agent_id = NULL, lease_until = NULL
     WHERE id = p_id AND status = 'failed' RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM u)
$$;

-- ---------------------------------------------------------------------------
-- Views for the web application.

-- Every alert with its template, object names and current problem.
CREATE VIEW pem.alert_overview AS
SELECT al.id, al.template, t.level, t.description, t.unit, al.agent_id, al.server_id,
       coalesce(al.agent_id, b.agent_id) AS monitoring_agent_id, ag.display_name AS agent_name,
       s.display_name AS server_name, al.object,
       al.enabled, al.state, al.previous_state, al.changed_at, al.raised_at, al.cleared_at,
       al.operator, al.low, al.medium, al.high, al.interval_s, al.params, t.params AS template_params,
       al.notify_webhooks, al.notify_email, al.email_group_id, al.reminder_s, al.flap_detection, al.flapping,
       al.last_value, al.last_detail, al.last_evaluated_at, al.last_eval_ms, al.next_due, al.evaluations,
       al.missed_slots, al.last_error, al.last_error_at, al.error_count,
       pem.alert_thresholds_problem(al.operator, al.low, al.medium, al.high) AS thresholds_problem,
       al.acknowledged_at, al.acknowledged_by, al.ack_note, al.is_default, al.log_evaluations
  FROM pem.alert al
  JOIN pem.alert_template t ON t.name = al.template
  LEFT JOIN pem.server s ON s.id = al.server_id
  LEFT JOIN pem.server_binding b ON b.server_id = al.server_id
  LEFT JOIN pem.agent ag ON ag.id = coalesce(al.agent_id, b.agent_id);

-- Deliveries: every outbox row with its target's name and attempts (no secrets).
CREATE VIEW pem.notification_delivery AS
SELECT o.id, o.idempotency_key, o.alert_id, o.channel, o.webhook_id, w.name AS webhook_name, o.email_group_id,
       g.name AS email_group_name, o.event, o.context ->> 'alert_name' AS alert_name,
       o.context ->> 'object_name' AS object_name, o.context ->> 'current_state' AS state, o.status, o.attempts,
       o.max_attempts, o.created_at, o.next_attempt_at, o.delivered_at, o.last_status_code, o.last_error,
       o.lease_agent_id, o.lease_until
  FROM pem.notification_outbox o
  LEFT JOIN pem.webhook w ON w.id = o.webhook_id
  LEFT JOIN pem.email_group g ON g.id = o.email_group_id;

-- Problems of the alerting system: evaluation problems and failed delivery attempts, newest first.
CREATE VIEW pem.alerting_problems AS
SELECT 'alert'::text AS source, p.kind, p.at, p.alert_id, NULL::bigint AS outbox_id, p.template AS subject,
       p.message, p.agent_id
  FROM pem.alert_problem p
UNION ALL
SELECT 'delivery', CASE WHEN o.status = 'failed' THEN 'delivery_failed' ELSE 'delivery_retry' END, a.finished_at,
       o.alert_id, o.id, coalesce(w.name, g.name, o.channel), coalesce(a.error, 'HTTP ' || a.status_code), a.agent_id
  FROM pem.notification_attempt a
  JOIN pem.notification_outbox o ON o.id = a.outbox_id
  LEFT JOIN pem.webhook w ON w.id = o.webhook_id
  LEFT JOIN pem.email_group g ON g.id = o.email_group_id
 WHERE NOT a.ok;

-- Webhooks without their header values (which may hold credentials): header names only.
CREATE VIEW pem.webhook_public AS
SELECT w.id, w.name, w.url, w.method, ARRAY(SELECT jsonb_object_keys(w.headers)) AS header_names,
       w.payload_template, w.enabled, w.on_low, w.on_medium, w.on_high, w.on_cleared, w.timeout_ms,
       w.max_retries, w.tls_verify, w.created_at, w.updated_at
  FROM pem.webhook w;

-- The SMTP settings without the password (write-only): whether one is set.
CREATE VIEW pem.smtp_settings_public AS
SELECT s.id, s.enabled, s.host, s.port, s.security, s.user_name, s.password IS NOT NULL AS password_set,
       s.from_address, s.tls_verify, s.tls_ca_pem, s.timeout_ms, s.updated_at
  FROM pem.smtp_settings s;

-- ---------------------------------------------------------------------------
-- The built-in templates (docs/reference/pem-facts.md §5). Probe names and columns they read: docs/alerts.md;
-- templates over probes not collected yet take the probe and column from params, so they can be
-- pointed at the real names without changing SQL. A missing probe means no data: state none.
INSERT INTO pem.alert_template (name, level, sql, operator, low, medium, high, interval_s, description, unit, params, probes, builtin) VALUES
('Agent Down', 'agent', $q$
SELECT extract(epoch FROM now() - greatest(coalesce(a.last_heartbeat, a.registered_at), st.resumed_at))::float8 AS value,
       'last heartbeat ' || coalesce(to_char(a.last_heartbeat AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'never') AS detail
  FROM pem.agent a CROSS JOIN pem.alerting_state st
 WHERE a.id = $1 AND a.active
$q$, '>', 30, 60, 120, 30, 'Seconds since the agent''s last heartbeat (time the backend itself was unavailable not counted)', 's', '{}', '{}', true),

('Server Down', 'server', $q$
SELECT CASE WHEN (l.value ->> 'up')::int = 0 THEN 1 ELSE 0 END::float8 AS value, l.value ->> 'error' AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe' AND l.object = ''
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY l.collected_at DESC LIMIT 1
$q$, '>', 0, 0, 0, 60, 'The monitoring agent cannot connect to the server (1) or can (0)', 'boolean',
 '{"probe": "server_up", "max_age_s": 300}', '{server_up}', true),

('CPU utilisation', 'agent', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, NULL::text AS detail
  FROM pemdata.latest l
 WHERE l.agent_id = $1 AND l.server_id = 0 AND l.probe = $4 ->> 'probe' AND l.object = ''
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY l.collected_at DESC LIMIT 1
$q$, '>', 80, 90, 95, 60, 'CPU busy percentage of the agent''s host', 'percent',
 '{"probe": "cpu", "column": "busy_pct", "max_age_s": 300}', '{cpu}', true),

('Load per core', 'agent', $q$
SELECT ((l.value ->> ($4 ->> 'column'))::float8 / nullif((l.value ->> 'cpus')::float8, 0)) AS value,
       (l.value ->> ($4 ->> 'column')) || ' over ' || (l.value ->> 'cpus') || ' CPUs' AS detail
  FROM pemdata.latest l
 WHERE l.agent_id = $1 AND l.server_id = 0 AND l.probe = $4 ->> 'probe' AND l.object = ''
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY l.collected_at DESC LIMIT 1
$q$, '>', 1, 2, 4, 60, '5-minute load average per CPU of the agent''s host', 'tasks per CPU',
 '{"probe": "load_avg", "column": "load5", "max_age_s": 300}', '{load_avg}', true),

('Memory used', 'agent', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, NULL::text AS detail
  FROM pemdata.latest l
 WHERE l.agent_id = $1 AND l.server_id = 0 AND l.probe = $4 ->> 'probe' AND l.object = ''
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY l.collected_at DESC LIMIT 1
$q$, '>', 85, 90, 95, 60, 'RAM in use (total - available) as a percentage of the total', 'percent',
 '{"probe": "memory", "column": "used_pct", "max_age_s": 300}', '{memory}', true),

('Swap used', 'agent', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, NULL::text AS detail
  FROM pemdata.latest l
 WHERE l.agent_id = $1 AND l.server_id = 0 AND l.probe = $4 ->> 'probe' AND l.object = ''
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY l.collected_at DESC LIMIT 1
$q$, '>', 30, 50, 80, 60, 'Swap in use as a percentage of the swap space (no swap: no data)', 'percent',
 '{"probe": "swap", "column": "used_pct", "max_age_s": 300}', '{swap}', true),

('Disk consumption', 'agent', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, l.object AS detail
  FROM pemdata.latest l
 WHERE l.agent_id = $1 AND l.server_id = 0 AND l.probe = $4 ->> 'probe'
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY 1 DESC NULLS LAST LIMIT 1
$q$, '>', 80, 90, 95, 300, 'Fullest mount point: used space as a percentage of its size', 'percent',
 '{"probe": "disk_space", "column": "used_pct", "max_age_s": 900}', '{disk_space}', true),

('Total connections', 'server', $q$
WITH c AS (
  SELECT sum((l.value ->> 'connections')::float8) AS n FROM pemdata.latest l
   WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe'
     AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
), m AS (
  SELECT (l.value ->> 'max_connections')::float8 AS mx FROM pemdata.latest l
   WHERE l.server_id = $2 AND l.probe = 'server_info' AND l.object = ''
     AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
   ORDER BY l.collected_at DESC LIMIT 1
)
SELECT 100 * c.n / nullif(m.mx, 0) AS value, c.n || ' of max_connections ' || m.mx AS detail FROM c, m
$q$, '>', 75, 85, 95, 60, 'Client connections as a percentage of max_connections', 'percent',
 '{"probe": "connections_by_state", "max_age_s": 300}', '{connections_by_state,server_info}', true),

('Idle in transaction sessions', 'server', $q$
SELECT sum((l.value ->> 'connections')::float8) AS value, NULL::text AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe'
   AND l.object IN ('idle in transaction', 'idle in transaction (aborted)')
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
$q$, '>', 5, 10, 20, 60, 'Sessions idle in a transaction', 'count',
 '{"probe": "connections_by_state", "max_age_s": 300}', '{connections_by_state}', true),

('Long-running queries', 'server', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, NULL::text AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe' AND l.object = ''
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY l.collected_at DESC LIMIT 1
$q$, '>', 300, 900, 3600, 60, 'Age of the longest-running active query', 's',
 '{"probe": "session_activity", "column": "longest_query_s", "max_age_s": 300}', '{session_activity}', true),

('Long-running transactions', 'server', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, NULL::text AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe' AND l.object = ''
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY l.collected_at DESC LIMIT 1
$q$, '>', 600, 1800, 3600, 60, 'Age of the oldest open transaction', 's',
 '{"probe": "session_activity", "column": "oldest_xact_age_s", "max_age_s": 300}', '{session_activity}', true),

('Dead tuples', 'database', $q$
SELECT 100 * (l.value ->> 'n_dead_tup')::float8
         / nullif((l.value ->> 'n_live_tup')::float8 + (l.value ->> 'n_dead_tup')::float8, 0) AS value,
       l.object AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe'
   AND ($3 = '' OR left(l.object, length($3) + 1) = $3 || '/')
   AND (l.value ->> 'n_live_tup')::float8 + (l.value ->> 'n_dead_tup')::float8 >= ($4 ->> 'min_rows')::float8
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY 1 DESC NULLS LAST LIMIT 1
$q$, '>', 20, 30, 50, 300, 'Dead tuples as a percentage of all tuples, the worst table of at least min_rows rows (object: database, '''' = all)', 'percent',
 '{"probe": "table_stats", "min_rows": 1000, "max_age_s": 1800}', '{table_stats}', true),

('Shared buffers hit ratio', 'server', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, NULL::text AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe' AND l.object = ''
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY l.collected_at DESC LIMIT 1
$q$, '<', 90, 80, 70, 300, 'Shared buffer hits as a percentage of block reads and hits (since the statistics reset)', 'percent',
 '{"probe": "database_stats", "column": "hit_ratio_pct", "max_age_s": 300}', '{database_stats}', true),

('Transaction ID wraparound', 'database', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, l.object AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe' AND ($3 = '' OR l.object = $3)
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY 1 DESC NULLS LAST LIMIT 1
$q$, '>', 500000000, 1000000000, 1500000000, 300, 'age(datfrozenxid) of the oldest database', 'transactions',
 '{"probe": "xid_wraparound", "column": "xid_age", "max_age_s": 3600}', '{xid_wraparound}', true),

('Multixact wraparound', 'database', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, l.object AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe' AND ($3 = '' OR l.object = $3)
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY 1 DESC NULLS LAST LIMIT 1
$q$, '>', 500000000, 1000000000, 1500000000, 300, 'mxid_age(datminmxid) of the oldest database', 'multixacts',
 '{"probe": "xid_wraparound", "column": "mxid_age", "max_age_s": 3600}', '{xid_wraparound}', true),

('Replica lag (bytes)', 'server', $q$
SELECT max((l.value ->> ($4 ->> 'column'))::float8) AS value,
       string_agg(l.object || ': ' || (l.value ->> ($4 ->> 'column')), ', ') AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe'
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
$q$, '>', 16777216, 67108864, 268435456, 60, 'Largest replication lag in bytes: a standby''s own, or the worst standby of a primary', 'bytes',
 '{"probe": "replication_lag", "column": "lag_bytes", "max_age_s": 300}', '{replication_lag}', true),

('Replica lag (seconds)', 'server', $q$
SELECT max((l.value ->> ($4 ->> 'column'))::float8) AS value,
       string_agg(l.object || ': ' || (l.value ->> ($4 ->> 'column')), ', ') AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe'
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
$q$, '>', 30, 60, 300, 60, 'Largest replay lag in seconds (0 on a caught-up streaming standby)', 's',
 '{"probe": "replication_lag", "column": "replay_lag_s", "max_age_s": 300}', '{replication_lag}', true),

('Inactive replication slots', 'server', $q$
SELECT count(*) FILTER (WHERE (l.value ->> 'active')::boolean IS FALSE)::float8 AS value,
       string_agg(l.object, ', ') FILTER (WHERE (l.value ->> 'active')::boolean IS FALSE) AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe'
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
$q$, '>', 0, 1, 3, 300, 'Replication slots not in use (they retain WAL)', 'count',
 '{"probe": "replication_slots", "max_age_s": 900}', '{replication_slots}', true),

('WAL files pending archive', 'server', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, l.value ->> 'last_failed_wal' AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe' AND l.object = ''
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY l.collected_at DESC LIMIT 1
$q$, '>', 10, 50, 100, 300, 'WAL segments waiting for archive_command (.ready files)', 'files',
 '{"probe": "wal_archive", "column": "pending_files", "max_age_s": 900}', '{wal_archive}', true),

('Patroni: no leader', 'server', $q$
SELECT CASE WHEN nullif(l.value ->> 'leader', '') IS NULL THEN 1 ELSE 0 END::float8 AS value,
       'cluster ' || coalesce(l.value ->> 'scope', '?') AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe' AND l.object = ''
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY l.collected_at DESC LIMIT 1
$q$, '>', 0, 0, 0, 30, 'The Patroni cluster has no leader (1)', 'boolean',
 '{"probe": "patroni_cluster", "max_age_s": 120}', '{patroni_cluster}', true),

('Patroni: DCS not healthy', 'server', $q$
SELECT CASE WHEN (l.value ->> 'dcs_healthy')::boolean IS FALSE THEN 1 ELSE 0 END::float8 AS value,
       'DCS last seen ' || coalesce(l.value ->> 'dcs_last_seen_age_s', '?') || ' s ago' AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe' AND l.object = ''
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY l.collected_at DESC LIMIT 1
$q$, '>', 0, 0, 0, 30, 'Patroni on this node cannot reach its DCS (1)', 'boolean',
 '{"probe": "patroni_cluster", "max_age_s": 120}', '{patroni_cluster}', true),

('Patroni: cluster paused', 'server', $q$
SELECT CASE WHEN (l.value ->> 'paused')::boolean THEN 1 ELSE 0 END::float8 AS value,
       'cluster ' || coalesce(l.value ->> 'scope', '?') AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe' AND l.object = ''
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY l.collected_at DESC LIMIT 1
$q$, '>', 0, 0, 1, 30, 'Patroni maintenance mode: automatic failover is off (1)', 'boolean',
 '{"probe": "patroni_cluster", "max_age_s": 120}', '{patroni_cluster}', true),

('Patroni: failover detected', 'server', $q$
WITH cur AS (
  SELECT (l.value ->> ($4 ->> 'column'))::int AS tl FROM pemdata.latest l
   WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe' AND l.object = ''
     AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
   ORDER BY l.collected_at DESC LIMIT 1
), before_window AS (
  SELECT (h.value ->> ($4 ->> 'column'))::int AS tl FROM pemhistory.sample h
   WHERE h.server_id = $2 AND h.probe = $4 ->> 'probe' AND h.object = ''
     AND h.collected_at <= now() - make_interval(secs => ($4 ->> 'window_s')::float8)
   ORDER BY h.collected_at DESC LIMIT 1
), in_window AS (
  SELECT min((h.value ->> ($4 ->> 'column'))::int) AS tl FROM pemhistory.sample h
   WHERE h.server_id = $2 AND h.probe = $4 ->> 'probe' AND h.object = ''
     AND h.collected_at > now() - make_interval(secs => ($4 ->> 'window_s')::float8)
)
SELECT (cur.tl - least(coalesce((SELECT tl FROM before_window), w.tl), w.tl))::float8 AS value,
       'timeline ' || least(coalesce((SELECT tl FROM before_window), w.tl), w.tl) || ' -> ' || cur.tl
       || ' within ' || ($4 ->> 'window_s') || ' s' AS detail
  FROM cur, in_window w
$q$, '>', 0, 0, 1, 60, 'Timeline changes (failovers or switchovers) within the window', 'count',
 '{"probe": "patroni_cluster", "column": "timeline", "window_s": 3600, "max_age_s": 120}', '{patroni_cluster}', true),

('Patroni: timeline mismatch', 'server', $q$
WITH node AS (
  SELECT l.value ->> 'member' AS member, l.value ->> 'role' AS role, (l.value ->> 'timeline')::int AS tl
    FROM pemdata.latest l
   WHERE l.server_id = $2 AND l.probe = $4 ->> 'node_probe' AND l.object = ''
     AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
   ORDER BY l.collected_at DESC LIMIT 1
), cluster AS (
  SELECT (l.value ->> 'timeline')::int AS tl
    FROM pemdata.latest l
   WHERE l.server_id = $2 AND l.probe = $4 ->> 'cluster_probe' AND l.object = ''
     AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
   ORDER BY l.collected_at DESC LIMIT 1
)
SELECT CASE WHEN node.role IN ('leader', 'standby_leader', 'master', 'primary') THEN 0
            WHEN node.tl IS NULL OR cluster.tl IS NULL THEN NULL
            WHEN node.tl <> cluster.tl THEN 1 ELSE 0 END::float8 AS value,
       coalesce(node.member, '?') || ' on timeline ' || coalesce(node.tl::text, '?') || ', leader on '
         || coalesce(cluster.tl::text, '?') AS detail
  FROM node, cluster
$q$, '>', 0, 0, 1, 60, 'This member is on another timeline than the cluster''s leader (1)', 'boolean',
 '{"node_probe": "patroni_node", "cluster_probe": "patroni_cluster", "max_age_s": 120}', '{patroni_node,patroni_cluster}', true),

('Patroni: member down', 'server', $q$
SELECT ((l.value ->> 'members')::int - (l.value ->> 'members_running')::int
        + greatest(0, coalesce(($4 ->> 'expected_members')::int, 0) - (l.value ->> 'members')::int))::float8 AS value,
       (l.value ->> 'members_running') || ' of ' || (l.value ->> 'members') || ' members running'
         || coalesce(' (expected ' || ($4 ->> 'expected_members') || ')', '') AS detail
  FROM pemdata.latest l
 WHERE l.server_id = $2 AND l.probe = $4 ->> 'probe' AND l.object = ''
   AND l.collected_at > now() - make_interval(secs => ($4 ->> 'max_age_s')::float8)
 ORDER BY l.collected_at DESC LIMIT 1
$q$, '>', 0, 0, 1, 30, 'Members not running or streaming (plus members missing from the cluster when expected_members is set)', 'count',
 '{"probe": "patroni_cluster", "max_age_s": 120}', '{patroni_cluster}', true);

-- Bind the built-in templates to what is already registered (an upgraded database).
SELECT pem.bind_default_alerts();

-- ---------------------------------------------------------------------------
-- Ownership and privileges.

-- Template SQL runs as pharos_alert_reader: read-only access to probe data and the inventory.
GRANT USAGE ON SCHEMA pem, pemdata, pemhistory TO pharos_alert_reader;
GRANT SELECT ON pemdata.latest, pemhistory.sample, pem.agent, pem.server, pem.server_binding, pem.probe,
  pem.alerting_state TO pharos_alert_reader;
GRANT CREATE ON SCHEMA pem TO pharos_alert_reader;
ALTER FUNCTION pem.alert_template_value(text, integer, integer, text, jsonb) OWNER TO pharos_alert_reader;
REVOKE CREATE ON SCHEMA pem FROM pharos_alert_reader;

REVOKE ALL ON FUNCTION pem.alert_template_value(text, integer, integer, text, jsonb),
  pem.bind_default_alerts(integer, integer, boolean, boolean), pem.alert_bind_on_register(),
  pem.alert_worker_settings(integer), pem.require_alert_worker(integer, text),
  pem.alert_context(integer, text, text, text, double precision, text, boolean, timestamptz, bigint),
  pem.enqueue_alert_event(integer, text, text, text, bigint, jsonb),
  pem.alert_record_problem(pem.alert, integer, text, text),
  pem.evaluate_alert_locked(pem.alert, integer, pem.alert_settings), pem.alerting_tick(integer),
  pem.evaluate_due_alerts(integer, integer, integer), pem.due_alert_ids(integer, integer),
  pem.record_alert_failure(integer, integer, text), pem.claim_notifications(integer, integer, integer),
  pem.finish_notification(integer, bigint, integer, boolean, integer, text, integer, double precision, boolean),
  pem.alert_housekeeping(integer), pem.check_alert_template(text, integer, integer, text, jsonb),
  pem.enqueue_test_notification(integer, integer, name), pem.requeue_notification(bigint)
  FROM PUBLIC;

-- Agents: only through the functions, which check the caller is the agent's own user.
GRANT EXECUTE ON FUNCTION pem.alert_worker_settings(integer), pem.evaluate_due_alerts(integer, integer, integer),
  pem.due_alert_ids(integer, integer), pem.record_alert_failure(integer, integer, text),
  pem.claim_notifications(integer, integer, integer),
  pem.finish_notification(integer, bigint, integer, boolean, integer, text, integer, double precision, boolean),
  pem.alert_housekeeping(integer) TO pem_agent;

-- Readers (pem_user) see alerts, history, problems and deliveries; not webhook headers or the SMTP password.
GRANT SELECT ON pem.alert_history, pem.alert_problem, pem.alert_evaluation_log, pem.notification_outbox,
  pem.notification_attempt, pem.email_group, pem.alert_settings, pem.alerting_state, pem.agent_alert_settings,
  pem.alert_overview, pem.notification_delivery, pem.alerting_problems, pem.webhook_public,
  pem.smtp_settings_public
  TO pem_user, pem_admin, pem_web;
GRANT SELECT (id, enabled, host, port, security, user_name, from_address, tls_verify, tls_ca_pem, timeout_ms, updated_at)
  ON pem.smtp_settings TO pem_user, pem_admin, pem_web;
GRANT SELECT ON pem.webhook TO pem_admin, pem_web;

-- Administrators (and the web instances acting for them) configure; they cannot write state.
REVOKE INSERT, UPDATE ON pem.alert FROM pem_admin;
GRANT INSERT (template, agent_id, server_id, object, operator, low, medium, high, interval_s, params, enabled,
              notify_webhooks, notify_email, email_group_id, reminder_s, flap_detection, log_evaluations)
  ON pem.alert TO pem_admin, pem_web;
GRANT UPDATE (operator, low, medium, high, interval_s, params, enabled, notify_webhooks, notify_email,
              email_group_id, reminder_s, flap_detection, log_evaluations, acknowledged_at, acknowledged_by, ack_note)
  ON pem.alert TO pem_admin, pem_web;
GRANT DELETE ON pem.alert TO pem_web;
GRANT USAGE ON SEQUENCE pem.alert_id_seq TO pem_admin, pem_web;
GRANT INSERT, UPDATE, DELETE ON pem.alert_template TO pem_web;
GRANT INSERT, UPDATE, DELETE ON pem.webhook, pem.email_group, pem.smtp_settings, pem.agent_alert_settings
  TO pem_admin, pem_web;
GRANT UPDATE ON pem.alert_settings TO pem_admin, pem_web;
GRANT USAGE ON SEQUENCE pem.webhook_id_seq, pem.email_group_id_seq TO pem_admin, pem_web;
GRANT EXECUTE ON FUNCTION pem.check_alert_template(text, integer, integer, text, jsonb),
  pem.enqueue_test_notification(integer, integer, name), pem.requeue_notification(bigint),
  pem.bind_default_alerts(integer, integer, boolean, boolean) TO pem_admin, pem_web;
