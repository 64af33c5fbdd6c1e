// How a notification's delivery reads: its status badge, its last result
// (HTTP status or the error: connection refused, no answer in time...) and
// one attempt's outcome, shared by the delivery history, an alert's page
// and the webhook test.

import { html } from '../../lib/html.js';
import { when } from './alert-ui.js';

const TONE = { delivered: 'ok', pending: 'warn', failed: 'bad' };

/** Badge of a delivery status (pending, delivered, failed). */
export function DeliveryStatus({ delivery: d }) {
  return html`<span class=${`badge status-${TONE[d.status] ?? 'off'}`}>${d.status}</span>`;
}

/** The last result of a notification: "HTTP 500: …", the error, or ''. */
export function lastResult(d) {
  if (d.last_error) return d.last_error;
  if (d.last_status_code) return `HTTP ${d.last_status_code}`;
  return '';
}

/** One attempt in words: "delivered: HTTP 200 in 12 ms" or "failed: <error>". */
export function attemptText(a) {
  if (a.ok) return `delivered: HTTP ${a.status_code} in ${a.duration_ms} ms`;
  return `failed: ${a.error ?? `HTTP ${a.status_code}`}`;
}

/** "attempt 1 of 4" and, while pending, when the next one is due. */
export function progressText(d) {
  const of = `${d.attempts} of ${d.max_attempts} attempt${d.max_attempts === 1 ? '' : 's'}`;
  return d.status === 'pending' && d.attempts > 0 ? `${of}; next at ${when(d.next_attempt_at)}` : of;
}
