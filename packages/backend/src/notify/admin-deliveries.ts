/**
 * Delivery history for the web application: every notification (outbox
 * row) with its status, and each attempt with its result
 * (the view pem.notification_delivery, sql/views/, and pem.notification_attempt);
 * a failed notification can be queued again.
 */
import type { Queryable } from '@pharos/core/query';
import type { DeliveryFilter } from './admin-shapes.js';

export type { DeliveryFilter } from './admin-shapes.js';

/** Notifications, newest first (no payload secrets: the context only). */
export async function listDeliveries(
  db: Queryable,
  f: DeliveryFilter = {},
): Promise<Record<string, unknown>[]> {
  return (
    await db.query(
      `SELECT * FROM pem.notification_delivery
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR channel = $2)
          AND ($3::int IS NULL OR webhook_id = $3) AND ($4::int IS NULL OR alert_id = $4)
        ORDER BY id DESC LIMIT $5`,
      [
        f.status ?? null,
        f.channel ?? null,
        f.webhookId ?? null,
        f.alertId ?? null,
        Math.min(f.limit ?? 200, 5000),
      ],
    )
  ).rows;
}

/**
 * Notification `id` (a row of pem.notification_delivery) and its attempts in
 * order, or undefined when there is none: what a "test webhook" button
 * follows until the test is delivered or an attempt failed.
 */
export async function getDelivery(
  db: Queryable,
  id: number,
): Promise<{ delivery: Record<string, unknown>; attempts: Record<string, unknown>[] } | undefined> {
  const delivery = (await db.query('SELECT * FROM pem.notification_delivery WHERE id = $1', [id])).rows[0];
  if (!delivery) return undefined;
  return { delivery, attempts: await deliveryAttempts(db, id) };
}

/** The attempts of notification `id`, in order. */
export async function deliveryAttempts(db: Queryable, id: number): Promise<Record<string, unknown>[]> {
  return (
    await db.query('SELECT * FROM pem.notification_attempt WHERE outbox_id = $1 ORDER BY attempt', [id])
  ).rows;
}

/** Queues failed notification `id` again; resolves false when it is not failed. */
export async function requeueDelivery(db: Queryable, id: number): Promise<boolean> {
  return (await db.query<{ ok: boolean }>('SELECT pem.requeue_notification($1) AS ok', [id])).rows[0]!.ok;
}
