// The "Send test" button of a webhook: queues a test notification (the
// backend agents deliver it, as they deliver alerts) and follows it until it
// is delivered or an attempt failed, showing the HTTP status or the error
// (connection refused, no answer within the timeout...).
import { getDelivery, testWebhook } from '../../../lib/alert-admin-api.js';
import { html, useEffect, useState } from '../../../lib/html.js';
import { errorText } from '../alert-ui.js';
import { attemptText, progressText } from '../delivery-ui.js';

/** How often the result is asked for, and how long a test is followed, ms. */
const POLL_MS = 500;
const FOLLOW_MS = 120_000;
/** After this long without an attempt, say that no agent has picked it up. */
const SLOW_MS = 15_000;

/** [state, text] of a followed test: state is queued, delivered, retrying, failed or error. */
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

/** The test button and result of webhook `webhookId`; only for administrators (`canEdit`). */
export function WebhookTest({ webhookId, canEdit }) {
  const [t, setT] = useState(undefined);
  useEffect(() => {
    if (!t?.deliveryId || t.done) return undefined;
    let stopped = false;
    const timer = setTimeout(async () => {
      try {
        const r = await getDelivery(t.deliveryId);
        if (stopped) return;
        const done = r.delivery.status !== 'pending' || Date.now() - t.startedAt > FOLLOW_MS;
        setT((x) => ({ ...x, delivery: r.delivery, attempts: r.attempts, done, tick: (x.tick ?? 0) + 1 }));
      } catch (err) {
        if (!stopped) setT((x) => ({ ...x, tick: (x.tick ?? 0) + 1, note: errorText(err) }));
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
      const { deliveryId } = await testWebhook(webhookId);
      setT({ deliveryId, startedAt: Date.now(), attempts: [] });
    } catch (err) {
      setT({ error: errorText(err), done: true, attempts: [] });
    }
  };
  const [state, text] = t ? describe(t) : ['', ''];
  // Busy until the first attempt's outcome is known; then another test may start.
  const busy = t !== undefined && !t.done && !t.error && t.attempts.length === 0;
  return html`<button type="button" class="small webhook-test" disabled=${busy} onClick=${start}>Send test</button>
    <span class=${`test-result test-${state}`} data-state=${state} role="status" hidden=${!t}>${text}${t?.note ? ` (${t.note})` : ''}</span>`;
}
