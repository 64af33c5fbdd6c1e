/**
 * The ship loop: takes the spool's next batch, ships it (ship-batch.ts), and
 * acknowledges it to the spool only after the backend acknowledged the COMMIT.
 *
 * Retries: the same batch (same id) is retried until it is stored; it never
 * leaves the spool otherwise. After a failover-class error (`isFailoverError`:
 * the primary went away, a switchover, a deadline passed, no host reachable
 * yet) the connection has already dropped its session and the next attempt
 * selects a host again; the wait grows 200 ms, 400 ms ... up to 2 s, so a
 * failover costs at most ~2 s beyond the backend's own write gap. Any other
 * error (a permission problem, a rejected batch) is retried every `longWaitMs`
 * (the reference agent's long wait), logged as an error each time.
 */

import { messageOf } from '@pharos/core/errors';
import { isFailoverError } from '@pharos/core/ha-connection';
import type { Logger } from '@pharos/core/log';
import { sleep } from '../schedule/ticker.js';
import type { Spool } from '../spool/spool.js';
import { shipBatch, type TransactionRunner } from './ship-batch.js';

/** Options of {@link Shipper}. */
export interface ShipperOptions {
  agentId: number;
  spool: Spool;
  conn: TransactionRunner;
  logger: Logger;
  /** Samples per batch (default 1000). */
  batchSize?: number;
  /** Deadline of one ship transaction, ms (default 20000). */
  deadlineMs?: number;
  /** Wait after a non-failover error, ms (default 30000). */
  longWaitMs?: number;
  /** Longest wait between attempts after failover-class errors, ms (default 2000). */
  maxFailoverBackoffMs?: number;
  /** Idle poll when the spool is empty, ms (default 1000; new samples wake the loop earlier). */
  idleWaitMs?: number;
}

/** Shipping figures for the agent's own metrics. */
export interface ShipperStats {
  lastUploadLatencyMs: number | null;
  lastUploadAt: Date | null;
  shippedSamples: number;
  shippedBatches: number;
  repeatedBatches: number;
  shipErrors: number;
  consecutiveFailures: number;
}

/** Runs the ship loop between {@link start} and {@link stop}. */
export class Shipper {
  readonly stats: ShipperStats = {
    lastUploadLatencyMs: null,
    lastUploadAt: null,
    shippedSamples: 0,
    shippedBatches: 0,
    repeatedBatches: 0,
    shipErrors: 0,
    consecutiveFailures: 0,
  };
  private readonly opts: ShipperOptions;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(opts: ShipperOptions) {
    this.opts = opts;
  }

  /** Starts the loop (idempotent). */
  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops the loop: no new batch is started; the one in flight may finish
   * within `graceMs` (default 5000). Returns whether the loop ended in time (if
   * not, closing the connection aborts it; the batch stays in the spool with its id).
   */
  async stop(graceMs = 5000): Promise<boolean> {
    this.abort.abort();
    if (!this.loop) return true;
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      this.loop.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), graceMs);
      }),
    ]);
    clearTimeout(timer);
    return ended;
  }

  /** Ships everything that is in the spool now (for tests and a drain on demand); throws on the first failure. */
  async drainOnce(): Promise<number> {
    let n = 0;
    for (;;) {
      const batch = await this.opts.spool.nextBatch(this.opts.batchSize ?? 1000);
      if (!batch) return n;
      await this.shipOne(batch);
      n += batch.samples.length;
    }
  }

  private async shipOne(batch: NonNullable<Awaited<ReturnType<Spool['nextBatch']>>>): Promise<void> {
    const r = await shipBatch(this.opts.conn, this.opts.agentId, batch, this.opts.deadlineMs ?? 20000);
    await this.opts.spool.ack(batch);
    const s = this.stats;
    s.lastUploadLatencyMs = Math.round(r.latencyMs * 10) / 10;
    s.lastUploadAt = new Date();
    s.shippedBatches++;
    s.shippedSamples += batch.samples.length;
    if (!r.stored) {
      s.repeatedBatches++;
      this.opts.logger.info(
        { batchId: batch.batchId, first: batch.firstSampleId, last: batch.lastSampleId },
        'batch was already stored (acknowledgement lost earlier); acknowledged now',
      );
    } else {
      this.opts.logger.debug(
        { batchId: batch.batchId, samples: batch.samples.length, latencyMs: s.lastUploadLatencyMs },
        'batch shipped',
      );
    }
    if (s.consecutiveFailures > 0) {
      this.opts.logger.info({ afterFailures: s.consecutiveFailures }, 'shipping resumed');
    }
    s.consecutiveFailures = 0;
  }

  private async run(): Promise<void> {
    const { spool, logger } = this.opts;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let batch: Awaited<ReturnType<Spool['nextBatch']>>;
      try {
        batch = await spool.nextBatch(this.opts.batchSize ?? 1000);
      } catch (err) {
        logger.error({ err: messageOf(err) }, 'cannot read the spool');
        await sleep(this.opts.longWaitMs ?? 30000, signal);
        continue;
      }
      if (!batch) {
        await spool.waitForData(this.opts.idleWaitMs ?? 1000, signal);
        continue;
      }
      try {
        await this.shipOne(batch);
      } catch (err) {
        const s = this.stats;
        s.shipErrors++;
        s.consecutiveFailures++;
        const failover = isFailoverError(err);
        const waitMs = failover
          ? Math.min(
              this.opts.maxFailoverBackoffMs ?? 2000,
              200 * 2 ** Math.min(10, s.consecutiveFailures - 1),
            )
          : (this.opts.longWaitMs ?? 30000);
        const fields = {
          batchId: batch.batchId,
          samples: batch.samples.length,
          err: messageOf(err),
          code: (err as { code?: string }).code,
          attempt: s.consecutiveFailures,
          retryInMs: waitMs,
        };
        if (failover) logger.warn(fields, 'shipping failed (failover-class); retrying the same batch');
        else logger.error(fields, 'shipping failed; retrying the same batch after the long wait');
        await sleep(waitMs, signal);
      }
    }
  }
}
