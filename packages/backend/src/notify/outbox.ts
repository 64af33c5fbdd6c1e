/**
 * The agent's side of the notification outbox (sql/functions/notify/):
 * `pem.claim_notifications` leases due rows with FOR UPDATE SKIP LOCKED, and
 * `pem.finish_notification` records an attempt and moves the row on. Both
 * run as the agent's own database user and refuse (42501) an agent that is
 * not configured to send notifications.
 */
import type { Queryable } from '@pharos/core/query';
import type { NotificationContext } from './context.js';
import type { SmtpSettings } from './email.js';
import type { Json } from './render.js';

/** A webhook as a claimed row carries it. */
export interface WebhookTarget {
  id: number;
  name: string;
  url: string;
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  payload_template: Json | null;
  timeout_ms: number;
  tls_verify: boolean;
}

/** An email group (with the SMTP settings) as a claimed row carries it. */
export interface EmailTarget {
  id: number;
  name: string;
  recipients: string[];
  subject_template: string | null;
  body_template: string | null;
  smtp: (SmtpSettings & { enabled: boolean }) | null;
}

/** One claimed notification. `target` is null when its webhook or email group was deleted. */
export interface ClaimedNotification {
  id: number;
  idempotencyKey: string;
  channel: 'webhook' | 'email';
  event: string;
  /** 1-based number of this attempt. */
  attempt: number;
  maxAttempts: number;
  context: NotificationContext;
  target: WebhookTarget | EmailTarget | null;
}

interface ClaimRow {
  id: string;
  idempotency_key: string;
  channel: 'webhook' | 'email';
  event: string;
  attempt: number;
  max_attempts: number;
  context: NotificationContext;
  target: WebhookTarget | EmailTarget | null;
}

/**
 * Leases up to `limit` due notifications to agent `agentId` for `leaseS`
 * seconds. Throws the database's errors (42501 when the agent may not send).
 */
export async function claimNotifications(
  db: Queryable,
  agentId: number,
  limit: number,
  leaseS: number,
): Promise<ClaimedNotification[]> {
  const r = await db.query<ClaimRow>('SELECT * FROM pem.claim_notifications($1, $2, $3)', [
    agentId,
    limit,
    leaseS,
  ]);
  return r.rows.map((row) => ({
    id: Number(row.id),
    idempotencyKey: row.idempotency_key,
    channel: row.channel,
    event: row.event,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    context: row.context,
    target: row.target,
  }));
}

/** How an attempt went. */
export interface AttemptResult {
  ok: boolean;
  statusCode?: number;
  error?: string;
  durationMs: number;
  /** Do not retry (the target is gone or misconfigured). */
  permanent?: boolean;
}

/**
 * Records attempt `n.attempt` of `n` and moves it on (delivered; pending again
 * after `retryInS` seconds; or failed). Idempotent. Resolves to the status
 * afterwards ('delivered', 'pending', 'failed', or null when the row is gone).
 */
export async function finishNotification(
  db: Queryable,
  agentId: number,
  n: Pick<ClaimedNotification, 'id' | 'attempt'>,
  result: AttemptResult,
  retryInS: number,
): Promise<string | null> {
  const r = await db.query<{ s: string | null }>(
    'SELECT pem.finish_notification($1, $2, $3, $4, $5, $6, $7, $8, $9) AS s',
    [
      agentId,
      n.id,
      n.attempt,
      result.ok,
      result.statusCode ?? null,
      result.error ?? null,
      Math.round(result.durationMs),
      retryInS,
      result.permanent ?? false,
    ],
  );
  return r.rows[0]?.s ?? null;
}
