/**
 * The notification sender an agent runs (by default only agents on backend
 * hosts): claims due outbox rows with a lease (`pem.claim_notifications`),
 * delivers each concurrently, and records every attempt
 * (`pem.finish_notification`), with exponential backoff between attempts.
 *
 * - At least once: a row stays pending until an attempt is recorded as
 *   delivered. A crash (of the agent, or a failover of the backend) between
 *   sending and recording leaves the lease to expire; another agent then
 *   sends again with the same Idempotency-Key, which the receiver uses to
 *   drop the duplicate.
 * - Nothing held up: up to `concurrency` deliveries run at once, each
 *   bounded by its own timeout; a free slot is refilled at the next poll, so
 *   a receiver that hangs occupies one slot, not the queue.
 * - Recording an attempt is retried (the backend may be failing over) until
 *   the lease is about to run out.
 */
import { messageOf } from '@pharos/core/errors';
import type { Logger } from '@pharos/core/log';
import type { Queryable } from '@pharos/core/query';
import { type BackoffPolicy, DEFAULT_BACKOFF, retryDelayS } from './backoff.js';
import { deliverNotification } from './deliver.js';
import {
  type AttemptResult,
  type ClaimedNotification,
  claimNotifications,
  type EmailTarget,
  finishNotification,
  type WebhookTarget,
} from './outbox.js';
import type { WebhookTargetPolicy } from './target-policy.js';

/** Options of {@link NotificationDispatcher}. */
export interface DispatcherOptions {
  db: Queryable;
  agentId: number;
  logger?: Logger;
  /** Deliveries in flight at most (default 8). */
  concurrency?: number;
  /** Lease of a claimed row, seconds (default 120; must exceed the longest delivery timeout). */
  leaseS?: number;
  /** Pause between claims when the queue is empty, ms (default 1000). */
  pollMs?: number;
  backoff?: BackoffPolicy;
  userAgent?: string;
  /** Where webhooks may connect (target-policy.ts); default: the policy's defaults, no exceptions. */
  targetPolicy?: WebhookTargetPolicy;
  /** Delivery function (default {@link deliverNotification}); tests may wrap it. */
  deliver?: (n: ClaimedNotification) => Promise<AttemptResult>;
}

/** Counters since start. */
export interface DispatcherStats {
  claimed: number;
  delivered: number;
  failedAttempts: number;
  inFlight: number;
  lastError: string | null;
}

/** Claims and delivers notifications until stopped. */
export class NotificationDispatcher {
  readonly stats: DispatcherStats = {
    claimed: 0,
    delivered: 0,
    failedAttempts: 0,
    inFlight: 0,
    lastError: null,
  };
  private readonly o: Required<Omit<DispatcherOptions, 'logger' | 'targetPolicy'>> & { logger?: Logger };
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private ticking: Promise<number> | undefined;

  constructor(options: DispatcherOptions) {
    this.o = {
      concurrency: 8,
      leaseS: 120,
      pollMs: 1000,
      backoff: DEFAULT_BACKOFF,
      userAgent: 'pharos',
      ...options,
      deliver:
        options.deliver ??
        ((n) =>
          deliverNotification(n, {
            userAgent: options.userAgent ?? 'pharos',
            ...(options.targetPolicy ? { targetPolicy: options.targetPolicy } : {}),
          })),
    };
  }

  /** Starts polling (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops claiming; waits up to `graceMs` for deliveries in flight (their leases cover the rest). */
  async stop(graceMs = 5000): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking?.catch(() => 0);
    let t: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((r) => {
        t = setTimeout(r, graceMs);
      }),
    ]);
    clearTimeout(t);
  }

  /** Resolves when nothing is in flight (tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Claims as many rows as there are free slots and starts delivering them;
   * resolves to the number claimed. Throws the claim's database error.
   */
  async tick(): Promise<number> {
    const free = this.o.concurrency - this.inFlight.size;
    if (free <= 0) return 0;
    const claimed = await claimNotifications(this.o.db, this.o.agentId, free, this.o.leaseS);
    const leaseEnd = Date.now() + this.o.leaseS * 1000;
    for (const n of claimed) {
      this.stats.claimed++;
      const p = this.handle(n, leaseEnd).finally(() => {
        this.inFlight.delete(p);
        this.stats.inFlight = this.inFlight.size;
      });
      this.inFlight.add(p);
    }
    this.stats.inFlight = this.inFlight.size;
    return claimed.length;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick();
      this.ticking.then(
        (n) => this.schedule(n > 0 && this.inFlight.size < this.o.concurrency ? 0 : this.o.pollMs),
        (err) => {
          this.stats.lastError = messageOf(err);
          this.o.logger?.warn({ err: messageOf(err) }, 'cannot claim notifications');
          this.schedule(this.o.pollMs);
        },
      );
    }, ms);
  }

  private async handle(n: ClaimedNotification, leaseEnd: number): Promise<void> {
    const result = await this.o
      .deliver(n)
      .catch((err): AttemptResult => ({ ok: false, error: messageOf(err), durationMs: 0 }));
    const target = n.target ? (n.target as WebhookTarget | EmailTarget).name : '(deleted)';
    const facts = {
      deliveryId: n.id,
      channel: n.channel,
      target,
      event: n.event,
      attempt: n.attempt,
      key: n.idempotencyKey,
    };
    if (result.ok) {
      this.stats.delivered++;
      this.o.logger?.info(
        { ...facts, statusCode: result.statusCode, ms: result.durationMs },
        'notification delivered',
      );
    } else {
      this.stats.failedAttempts++;
      this.stats.lastError = result.error ?? null;
      const last = result.permanent || n.attempt >= n.maxAttempts;
      this.o.logger?.[last ? 'error' : 'warn'](
        { ...facts, maxAttempts: n.maxAttempts, statusCode: result.statusCode, err: result.error },
        last ? 'notification failed for good' : 'notification attempt failed; will retry',
      );
    }
    const retryInS = retryDelayS(n.attempt, this.o.backoff);
    for (;;) {
      try {
        await finishNotification(this.o.db, this.o.agentId, n, result, retryInS);
        return;
      } catch (err) {
        if (Date.now() > leaseEnd - 2000) {
          this.o.logger?.error(
            { ...facts, err: messageOf(err) },
            'cannot record the attempt before the lease ends; the notification will be sent again (same key)',
          );
          return;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}
