// The browser's client of the alert administration API (/api/alert-admin/,
// docs/alerts.md): alerts, acknowledgements, problems, webhooks, email
// groups and delivery history. Writes go through api.js's call, which sends
// the session's CSRF token; 400 answers carry the field at fault (ApiError.field).
import { call, query } from './api.js';

const BASE = '/api/alert-admin';
const id = (n) => encodeURIComponent(n);

/** Alerts with configuration and state: {state: 'low,medium,high', template, agentId, serverId, problems}. */
export const listAlertConfigs = (filter = {}) => call('GET', `${BASE}/alerts${query(filter)}`);

/** One alert with its recent history (`history`). */
export const getAlertConfig = (alertId) => call('GET', `${BASE}/alerts/${id(alertId)}`);

/** Changes an alert's configuration; resolves to the updated alert. */
export const patchAlertConfig = (alertId, patch) => call('PATCH', `${BASE}/alerts/${id(alertId)}`, patch);

/** Acknowledges a raised alert (no reminders until its state changes). */
export const acknowledgeAlert = (alertId, note) =>
  call('POST', `${BASE}/alerts/${id(alertId)}/ack`, note ? { note } : {});

/** Alert templates (name, level, unit, description, defaults). */
export const listTemplates = () => call('GET', `${BASE}/templates`);

/** Problems of the alerting system, newest first: template errors, timeouts, thresholds, failed deliveries. */
export const listAlertingProblems = (limit = 200) => call('GET', `${BASE}/problems${query({ limit })}`);

/** Webhooks (header names only, never their values). */
export const listWebhooks = () => call('GET', `${BASE}/webhooks`);

/** Creates a webhook; resolves to {id}. */
export const createWebhook = (body) => call('POST', `${BASE}/webhooks`, body);

/** Changes a webhook (headers omitted = kept); resolves to {id}. */
export const updateWebhook = (webhookId, body) => call('PUT', `${BASE}/webhooks/${id(webhookId)}`, body);

/** Deletes a webhook (its delivery history stays). */
export const deleteWebhook = (webhookId) => call('DELETE', `${BASE}/webhooks/${id(webhookId)}`);

/** Queues a test notification to a webhook; resolves to {deliveryId}. */
export const testWebhook = (webhookId) => call('POST', `${BASE}/webhooks/${id(webhookId)}/test`);

/** Email groups (for an alert's notification settings). */
export const listEmailGroups = () => call('GET', `${BASE}/email-groups`);

/** Notifications, newest first: {status, channel, webhookId, alertId, limit}. */
export const listDeliveries = (filter = {}) => call('GET', `${BASE}/deliveries${query(filter)}`);

/** One notification and its attempts: {delivery, attempts}. */
export const getDelivery = (deliveryId) => call('GET', `${BASE}/deliveries/${id(deliveryId)}`);

/** Queues a failed notification again. */
export const requeueDelivery = (deliveryId) => call('POST', `${BASE}/deliveries/${id(deliveryId)}/requeue`);
