// @ts-check
// The browser's client of the alert administration API (/api/alert-admin/,
// docs/alerts.md): alerts, acknowledgements, problems, webhooks, email
// groups and delivery history. Writes go through api.js's call, which sends
// the session's CSRF token; 400 answers carry the field at fault (ApiError.field).
//
// The answers are rows of the backend's views. The server types them as
// open records (backend/src/alerts/admin-alerts.ts AlertRow); the typedefs
// below name the columns the UI reads, as the views define them
// (backend/sql/migrations/005_alerts.sql): pem.alert_overview,
// pem.notification_delivery, pem.notification_attempt, pem.alerting_problems,
// pem.webhook_public. bigint columns may arrive as strings.
import { call, query } from './api.js';

/** @typedef {'none' | 'low' | 'medium' | 'high'} AlertState */
/**
 * A row of pem.alert_overview (GET /alerts, /alerts/:id; the latter with `history`).
 * @typedef {{
 *   id: number, template: string, level: string, description: string | null, unit: string | null,
 *   agent_id: number | null, server_id: number | null, agent_name: string | null, server_name: string | null,
 *   object: string, enabled: boolean, state: AlertState, changed_at: string,
 *   operator: '>' | '<', low: number, medium: number, high: number, interval_s: number,
 *   params: Record<string, unknown>, template_params: Record<string, unknown> | null,
 *   notify_webhooks: boolean, notify_email: boolean, email_group_id: number | null, reminder_s: number,
 *   flap_detection: boolean, flapping: boolean, last_value: number | null, last_detail: string | null,
 *   last_evaluated_at: string | null, next_due: string | null, evaluations: number | string,
 *   missed_slots: number | string, last_error: string | null, last_error_at: string | null,
 *   error_count: number | string, thresholds_problem: string | null, acknowledged_at: string | null,
 *   acknowledged_by: string | null, ack_note: string | null, history?: AlertHistoryRow[],
 * }} AlertConfig
 */
/**
 * A state change of one alert (pem.alert_history).
 * @typedef {{ id: number, at: string, event: string, old_state: AlertState, new_state: AlertState, value: number | null, notified: boolean }} AlertHistoryRow
 */
/** An alert template (GET /templates). @typedef {{ name: string }} AlertTemplate */
/**
 * A notification (pem.notification_delivery).
 * @typedef {{
 *   id: number, alert_id: number | null, alert_name: string | null, object_name: string | null, event: string,
 *   channel: 'webhook' | 'email', webhook_name: string | null, email_group_name: string | null,
 *   status: 'pending' | 'delivered' | 'failed', attempts: number, max_attempts: number, created_at: string,
 *   next_attempt_at: string, delivered_at: string | null, last_status_code: number | null, last_error: string | null,
 * }} Delivery
 */
/**
 * One delivery attempt (pem.notification_attempt).
 * @typedef {{ attempt: number, agent_id: number, finished_at: string, ok: boolean, status_code: number | null, error: string | null, duration_ms: number | null }} DeliveryAttempt
 */
/**
 * A problem of the alerting system (pem.alerting_problems).
 * @typedef {{ source: string, kind: string, at: string, alert_id: number | null, outbox_id: number | null, subject: string, message: string, agent_id: number | null }} AlertingProblem
 */
/**
 * A webhook without its header values (pem.webhook_public): `url_origin` is scheme://host[:port];
 * the whole `url` is there for administrators only (its path and query may be the secret).
 * @typedef {{
 *   id: number, name: string, url_origin: string | null, url?: string, method: 'POST' | 'PUT', header_names: string[] | null,
 *   payload_template: unknown, enabled: boolean, on_low: boolean, on_medium: boolean, on_high: boolean,
 *   on_cleared: boolean, timeout_ms: number, max_retries: number, tls_verify: boolean,
 * }} Webhook
 */
/**
 * An email group (pem.email_group).
 * @typedef {{
 *   id: number, name: string, recipients?: string[], enabled?: boolean, on_low?: boolean, on_medium?: boolean,
 *   on_high?: boolean, on_cleared?: boolean, subject_template?: string | null, body_template?: string | null,
 * }} EmailGroup
 */
/**
 * The SMTP settings as pem.smtp_settings_public shows them: `password_set`, never the password; `{}` when none are saved.
 * @typedef {{
 *   enabled?: boolean, host?: string | null, port?: number, security?: 'starttls' | 'tls' | 'none',
 *   user_name?: string | null, password_set?: boolean, from_address?: string | null, tls_verify?: boolean,
 *   tls_ca_pem?: string | null, timeout_ms?: number,
 * }} SmtpSettings
 */
/**
 * An alert template (pem.alert_template); `builtin` ones are shipped with the release and read-only.
 * @typedef {{
 *   name: string, level: 'agent' | 'server' | 'database', sql: string, operator: '>' | '<', low: number,
 *   medium: number, high: number, interval_s: number, description: string, unit: string,
 *   params: Record<string, unknown>, auto_bind: boolean, builtin: boolean, probes: string[],
 * }} TemplateRow
 */

const BASE = '/api/alert-admin';
/** @param {number | string} n */
const id = (n) => encodeURIComponent(n);

/**
 * Alerts with configuration and state.
 * @param {{ state?: string, template?: string, agentId?: number, serverId?: number, problems?: boolean }} [filter]
 *   state: comma-separated states ('low,medium,high'); problems: only alerts with one
 * @returns {Promise<AlertConfig[]>}
 */
export const listAlertConfigs = (filter = {}) => call('GET', `${BASE}/alerts${query(filter)}`);

/**
 * One alert with its recent history (`history`).
 * @param {number} alertId
 * @returns {Promise<AlertConfig & { history: AlertHistoryRow[] }>}
 */
export const getAlertConfig = (alertId) => call('GET', `${BASE}/alerts/${id(alertId)}`);

/**
 * Changes an alert's configuration; resolves to the updated alert.
 * @param {number} alertId
 * @param {Record<string, unknown>} patch fields of PATCH /alerts/:id (docs/alerts.md)
 * @returns {Promise<AlertConfig>}
 */
export const patchAlertConfig = (alertId, patch) => call('PATCH', `${BASE}/alerts/${id(alertId)}`, patch);

/**
 * Acknowledges a raised alert (no reminders until its state changes).
 * @param {number} alertId
 * @param {string} [note]
 */
export const acknowledgeAlert = (alertId, note) =>
  call('POST', `${BASE}/alerts/${id(alertId)}/ack`, note ? { note } : {});

/**
 * Alert templates (name, level, unit, description, defaults).
 * @returns {Promise<TemplateRow[]>}
 */
export const listTemplates = () => call('GET', `${BASE}/templates`);

/**
 * Creates or changes a custom template (its SQL is run once to check it).
 * @param {string} name
 * @param {Record<string, unknown>} body fields of PUT /templates/:name (docs/alerts.md)
 * @returns {Promise<{ saved: string }>}
 */
export const saveTemplate = (name, body) => call('PUT', `${BASE}/templates/${id(name)}`, body);

/**
 * Deletes a custom template that no alert uses.
 * @param {string} name
 */
export const deleteTemplate = (name) => call('DELETE', `${BASE}/templates/${id(name)}`);

/**
 * Problems of the alerting system, newest first: template errors, timeouts, thresholds, failed deliveries.
 * @returns {Promise<AlertingProblem[]>}
 */
export const listAlertingProblems = (limit = 200) => call('GET', `${BASE}/problems${query({ limit })}`);

/**
 * Webhooks (header names only, never their values).
 * @returns {Promise<Webhook[]>}
 */
export const listWebhooks = () => call('GET', `${BASE}/webhooks`);

/**
 * Creates a webhook.
 * @param {Record<string, unknown>} body
 * @returns {Promise<{ id: number }>}
 */
export const createWebhook = (body) => call('POST', `${BASE}/webhooks`, body);

/**
 * Changes a webhook (headers omitted = kept).
 * @param {number} webhookId
 * @param {Record<string, unknown>} body
 * @returns {Promise<{ id: number }>}
 */
export const updateWebhook = (webhookId, body) => call('PUT', `${BASE}/webhooks/${id(webhookId)}`, body);

/**
 * Deletes a webhook (its delivery history stays).
 * @param {number} webhookId
 */
export const deleteWebhook = (webhookId) => call('DELETE', `${BASE}/webhooks/${id(webhookId)}`);

/**
 * Queues a test notification to a webhook.
 * @param {number} webhookId
 * @returns {Promise<{ deliveryId: number }>}
 */
export const testWebhook = (webhookId) => call('POST', `${BASE}/webhooks/${id(webhookId)}/test`);

/**
 * Email groups (for an alert's notification settings).
 * @returns {Promise<EmailGroup[]>}
 */
export const listEmailGroups = () => call('GET', `${BASE}/email-groups`);

/**
 * Creates an email group.
 * @param {Record<string, unknown>} body
 * @returns {Promise<{ id: number }>}
 */
export const createEmailGroup = (body) => call('POST', `${BASE}/email-groups`, body);

/**
 * Changes an email group.
 * @param {number} groupId
 * @param {Record<string, unknown>} body
 * @returns {Promise<{ id: number }>}
 */
export const updateEmailGroup = (groupId, body) => call('PUT', `${BASE}/email-groups/${id(groupId)}`, body);

/**
 * Queues a test email to a group (409 PHAROS_SMTP_NOT_CONFIGURED without SMTP settings).
 * @param {number} groupId
 * @returns {Promise<{ deliveryId: number }>}
 */
export const testEmailGroup = (groupId) => call('POST', `${BASE}/email-groups/${id(groupId)}/test`);

/**
 * Saves the SMTP settings (password omitted = kept, null = none).
 * @param {Record<string, unknown>} body
 * @returns {Promise<{ saved: true }>}
 */
export const saveSmtp = (body) => call('PUT', `${BASE}/smtp`, body);

/**
 * The SMTP settings as pem.smtp_settings_public shows them (never the password); `{}` when none are saved.
 * @returns {Promise<SmtpSettings>}
 */
export const getSmtp = () => call('GET', `${BASE}/smtp`);

/**
 * True when alert emails can be sent: SMTP settings saved, enabled, with a server and a sender.
 * @param {{ enabled?: boolean, host?: string | null, from_address?: string | null }} smtp
 */
export const emailConfigured = (smtp) =>
  smtp.enabled === true && Boolean(smtp.host) && Boolean(smtp.from_address);

/**
 * Notifications, newest first.
 * @param {{ status?: string, channel?: string, webhookId?: number | string, alertId?: number | string, limit?: number }} [filter]
 * @returns {Promise<Delivery[]>}
 */
export const listDeliveries = (filter = {}) => call('GET', `${BASE}/deliveries${query(filter)}`);

/**
 * One notification and its attempts.
 * @param {number} deliveryId
 * @returns {Promise<{ delivery: Delivery, attempts: DeliveryAttempt[] }>}
 */
export const getDelivery = (deliveryId) => call('GET', `${BASE}/deliveries/${id(deliveryId)}`);

/**
 * Queues a failed notification again.
 * @param {number} deliveryId
 */
export const requeueDelivery = (deliveryId) => call('POST', `${BASE}/deliveries/${id(deliveryId)}/requeue`);
