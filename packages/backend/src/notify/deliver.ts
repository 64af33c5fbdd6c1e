/**
 * Delivers one claimed notification over its channel: renders the webhook
 * payload or the email text from the frozen context, adds the
 * duplicate-suppression headers, sends, and reports the attempt. Never
 * throws: a rendering or configuration problem is a permanent failure of
 * this notification only.
 */
import { messageOf } from '@pharos/core/errors';
import type { DeliveryFacts } from './context.js';
import { sendEmail } from './email.js';
import type { AttemptResult, ClaimedNotification, EmailTarget, WebhookTarget } from './outbox.js';
import {
  DEFAULT_BODY_TEMPLATE,
  DEFAULT_PAYLOAD_TEMPLATE,
  DEFAULT_SUBJECT_TEMPLATE,
  renderJson,
  renderText,
} from './render.js';
import type { WebhookTargetPolicy } from './target-policy.js';
import { sendWebhook } from './webhook.js';

/** Options of {@link deliverNotification}. */
export interface DeliverOptions {
  /** User-Agent of webhook requests (e.g. `pharos-agent/0.1.0`). */
  userAgent?: string;
  /** Where webhooks may connect (default: the policy's defaults, no exceptions; target-policy.ts). */
  targetPolicy?: WebhookTargetPolicy;
}

/** The HTTP headers of a webhook request for `n`: the webhook's own, then Pharos's (which win). */
export function webhookHeaders(
  n: ClaimedNotification,
  target: WebhookTarget,
  userAgent: string,
): Record<string, string> {
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(target.headers ?? {})) own[k] = String(v);
  return {
    'Content-Type': 'application/json',
    'User-Agent': userAgent,
    ...own,
    'Idempotency-Key': n.idempotencyKey,
    'X-Pharos-Delivery': String(n.id),
    'X-Pharos-Attempt': String(n.attempt),
    'X-Pharos-Event': n.event,
  };
}

/** Sends `n`; resolves with the attempt's result. */
export async function deliverNotification(
  n: ClaimedNotification,
  opts: DeliverOptions = {},
): Promise<AttemptResult> {
  const facts: DeliveryFacts = { deliveryId: n.id, idempotencyKey: n.idempotencyKey, attempt: n.attempt };
  if (!n.target) {
    return {
      ok: false,
      error: `the ${n.channel === 'webhook' ? 'webhook' : 'email group'} was deleted`,
      durationMs: 0,
      permanent: true,
    };
  }
  try {
    if (n.channel === 'webhook') {
      const t = n.target as WebhookTarget;
      const body = JSON.stringify(
        renderJson(t.payload_template ?? DEFAULT_PAYLOAD_TEMPLATE, n.context, facts),
      );
      return await sendWebhook({
        url: t.url,
        method: t.method,
        headers: webhookHeaders(n, t, opts.userAgent ?? 'pharos'),
        body,
        timeoutMs: t.timeout_ms,
        tlsVerify: t.tls_verify,
        ...(opts.targetPolicy ? { policy: opts.targetPolicy } : {}),
      });
    }
    const t = n.target as EmailTarget;
    if (!t.smtp?.enabled) {
      return {
        ok: false,
        error: 'SMTP is not configured or disabled (pem.smtp_settings)',
        durationMs: 0,
        permanent: true,
      };
    }
    return await sendEmail(t.smtp, {
      to: t.recipients,
      subject: renderText(t.subject_template ?? DEFAULT_SUBJECT_TEMPLATE, n.context, facts).replace(
        /[\r\n]+/g,
        ' ',
      ),
      text: renderText(t.body_template ?? DEFAULT_BODY_TEMPLATE, n.context, facts),
      idempotencyKey: n.idempotencyKey,
      headers: { 'X-Pharos-Event': n.event, 'X-Pharos-Delivery': String(n.id) },
    });
  } catch (err) {
    return { ok: false, error: `cannot deliver: ${messageOf(err)}`, durationMs: 0, permanent: true };
  }
}
