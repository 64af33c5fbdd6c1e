// @ts-check
// The "Send test" button of a webhook (and of an email group): queues a test notification (the
// backend agents deliver it, as they deliver alerts) and follows it until it
// is delivered or an attempt failed, showing the HTTP status or the error
// (connection refused, no answer within the timeout...).
import { getDelivery, testWebhook } from '../../../lib/alert-admin-api.js';
import { errorText } from '../../../lib/api.js';
import { html, useEffect, useState } from '../../../lib/html.js';
import { ADMINS_ONLY } from '../alert-ui.js';
import { attemptText, progressText } from '../delivery-ui.js';

/**
 * A followed test: when it started, its delivery and attempts once known,
 * whether following ended (`done`), an error that ended it, a note about the
 * last failed look-up, and a tick that makes the next look-up happen.
 * @typedef {{
 *   startedAt: number, deliveryId?: number, delivery?: import('../../../lib/alert-admin-api.js').Delivery,
 *   attempts: import('../../../lib/alert-admin-api.js').DeliveryAttempt[], done?: boolean, error?: string,
 *   note?: string, tick?: number,
 * }} FollowedTest
 */

/** @param {unknown} err */
const failure = (err) => errorText(err, { forbidden: ADMINS_ONLY });

/** How often the result is asked for, and how long a test is followed, ms. */
const POLL_MS = 500;
const FOLLOW_MS = 120_000;
/** After this long without an attempt, say that no agent has picked it up. */
const SLOW_MS = 15_000;

/**
 * [state, text] of a followed test: state is queued, delivered, retrying, failed or error.
 * @param {FollowedTest} t
 * @returns {[string, string]}
 */
function describe(t) {
  if (t.error) return ['error', t.error];
  if (!t.delivery) return ['queued', 'Queuing a test notification…'];
  const d = t.delivery;
  const last = t.attempts[t.attempts.length - 1];
  if (d.status === 'delivered')
    return ['delivered', `Test #${d.id} ${last ? attemptText(last) : 'delivered'}.`];
  if (d.status === 'failed')
    return ['failed', `Test #${d.id} failed for good (${progressText(d)}): ${last?.error ?? d.last_error}`];
  if (last)
    return ['retrying', `Test #${d.id} attempt ${last.attempt} ${attemptText(last)} (${progressText(d)}).`];
  const waited = Date.now() - t.startedAt;
  return [
    'queued',
    `Test #${d.id} queued; waiting for a backend agent to send it…${
      waited > SLOW_MS
        ? ' (none has picked it up yet: are the backend agents running with notifications on?)'
        : ''
    }`,
  ];
}

/**
 * The test button and result of webhook `webhookId`; only for administrators (`canEdit`).
 * @param {{ webhookId: number, canEdit: boolean }} props
 */
export function WebhookTest({ webhookId, canEdit }) {
  return html`<${DeliveryTest} send=${() => testWebhook(webhookId)} canEdit=${canEdit} label="Send test" cls="webhook-test" />`;
}

/**
 * A button that queues a test notification with `send` (it resolves to the
 * outbox id) and follows its delivery; only for administrators (`canEdit`).
 * @param {{ send: () => Promise<{ deliveryId: number }>, canEdit: boolean, label: string, cls: string }} props
 */
export function DeliveryTest({ send, canEdit, label, cls }) {
  const [t, setT] = useState(/** @type {FollowedTest | undefined} */ (undefined));
  useEffect(() => {
    const deliveryId = t?.deliveryId;
    if (!t || deliveryId === undefined || t.done) return undefined;
    let stopped = false;
    /** @param {(x: FollowedTest) => Partial<FollowedTest>} change */
    const update = (change) =>
      setT((/** @type {FollowedTest | undefined} */ x) =>
        x ? { ...x, ...change(x), tick: (x.tick ?? 0) + 1 } : x,
      );
    const timer = setTimeout(async () => {
      try {
        const r = await getDelivery(deliveryId);
        if (stopped) return;
        const done = r.delivery.status !== 'pending' || Date.now() - t.startedAt > FOLLOW_MS;
        update(() => ({ delivery: r.delivery, attempts: r.attempts, done }));
      } catch (err) {
        if (!stopped) update(() => ({ note: failure(err) }));
      }
    }, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [t]);
  if (!canEdit) return '';
  const start = async () => {
    setT({ startedAt: Date.now(), attempts: [] });
    try {
      const { deliveryId } = await send();
      setT({ deliveryId, startedAt: Date.now(), attempts: [] });
    } catch (err) {
      setT({ startedAt: Date.now(), error: failure(err), done: true, attempts: [] });
    }
  };
  const [state, text] = t ? describe(t) : ['', ''];
  // Busy until the first attempt's outcome is known; then another test may start.
  const busy = t !== undefined && !t.done && !t.error && t.attempts.length === 0;
  return html`<button type="button" class=${`small ${cls}`} disabled=${busy} onClick=${start}>${label}</button>
    <span class=${`test-result test-${state}`} data-state=${state} role="status" hidden=${!t}>${text}${t?.note ? ` (${t.note})` : ''}</span>`;
}
