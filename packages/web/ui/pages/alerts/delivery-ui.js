// @ts-check
// How a notification's delivery reads: its status badge, its last result
// (HTTP status or the error: connection refused, no answer in time...) and
// one attempt's outcome, shared by the delivery history, an alert's page
// and the webhook test.
import { Badge } from '../../components/badges.js';
import { when } from '../../lib/format.js';
import { html } from '../../lib/html.js';

/** @typedef {import('../../lib/alert-admin-api.js').Delivery} Delivery */
/** @typedef {import('../../lib/alert-admin-api.js').DeliveryAttempt} DeliveryAttempt */

/** @type {Record<Delivery['status'], import('../../components/badges.js').Tone>} */
const TONE = { delivered: 'ok', pending: 'warn', failed: 'bad' };

/**
 * Badge of a delivery status (pending, delivered, failed).
 * @param {{ delivery: Pick<Delivery, 'status'> }} props
 */
export function DeliveryStatus({ delivery: d }) {
  return html`<${Badge} tone=${TONE[d.status] ?? 'off'} text=${d.status} />`;
}

/**
 * The last result of a notification: "HTTP 500: …", the error, or ''.
 * @param {Delivery} d
 */
export function lastResult(d) {
  if (d.last_error) return d.last_error;
  if (d.last_status_code) return `HTTP ${d.last_status_code}`;
  return '';
}

/**
 * One attempt in words: "delivered: HTTP 200 in 12 ms" or "failed: <error>".
 * @param {DeliveryAttempt} a
 */
export function attemptText(a) {
  if (a.ok) return `delivered: HTTP ${a.status_code} in ${a.duration_ms} ms`;
  return `failed: ${a.error ?? `HTTP ${a.status_code}`}`;
}

/**
 * "1 of 4 attempts" and, while pending, when the next one is due.
 * @param {Delivery} d
 */
export function progressText(d) {
  const of = `${d.attempts} of ${d.max_attempts} attempt${d.max_attempts === 1 ? '' : 's'}`;
  return d.status === 'pending' && d.attempts > 0 ? `${of}; next at ${when(d.next_attempt_at)}` : of;
}
