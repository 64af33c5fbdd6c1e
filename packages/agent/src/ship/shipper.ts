/**
 * The ship loop: takes the spool's next batch, ships it (ship-batch.ts), and
 * acknowledges it to the spool only after the backend acknowledged the COMMIT.
 *
 * Retries: the same batch (same id) is retried until it is stored; it never
 * leaves the spool otherwise. After a failover-class error (`isFailoverError`:
 * the primary went away, a switchover, a deadline passed, no host reachable
 * yet) the connection has already dropped its session, and the batch is
 * shipped again at once: that attempt selects a host, and while no host is
 * primary yet (the old one stopped, no standby promoted) the selection keeps
 * the standbys' sessions open and asks them again every 100 ms for up to
 * `awaitPrimaryMs` (HaConnection's `awaitTargetMs`), so the batch goes to the
 * new primary within about 100 ms of its promotion, over a session opened
 * before it, instead of after a retry wait and a new TLS connection to every
 * host per attempt (issue 19). Only when that attempt fails too do the
 * waits grow 200 ms, 400 ms ... up to 2 s (`maxFailoverBackoffMs`). Any other
 * error (a permission problem, a rejected batch) is retried every `longWaitMs`
 * (the reference agent's long wait), logged as an error each time.
 *
 * Re-ship after a server change: the backend replicates asynchronously, so a
 * batch the old primary acknowledged but had not streamed to its standby is
 * gone after a failover (or a whole-cluster restart where a lagging standby
 * comes up first). Every ship learns which server acknowledged it
 * (ship/server-identity.ts: address, port, postmaster start time, in the
 * ingest statement itself), and the spool keeps each acknowledged batch with
 * that identity for its retention window (spool/retention.ts, default 5 min).
 * When a ship is acknowledged by another identity than a retained batch's,
 * the shipper, before shipping anything new, asks that server in ONE
 * statement which of those retained batch ids it stores
 * (ship/stored-batches.ts, `pem.agent_stored_batches`: the agent's own
 * batches only), stamps the ones it has as acknowledged by it (they stay
 * retained for another window, as a re-ship's acknowledgement would leave
 * them), and ships again only the ones it lacks, oldest first, under their
 * original ids: `pem.ingest_samples` stores each once. Before issue 19's
 * ship-gap work every retained batch was shipped again, one transaction each:
 * 9-104 batches, 1.4-14.7 s per agent before new samples flowed, with the
 * backend lacking none of 2,326 in 54 rounds
 * (bench/results/traces-2026-12-07-write-gap-7/agent-reships.txt).
 * The lost ones are rare and few, so they go first (history repaired in
 * order; the new samples wait a transaction or two). A backend whose schema
 * predates the function (42883) gets the old way: every retained batch again.
 * Counted in `confirmedBatches` (the server had them), `replayedBatches`
 * (shipped again) and `recoveredBatches` (of those, stored: they had been
 * lost), with a warning naming the count. A failed question or re-ship
 * follows the retry rules above. Limit: a loss is repaired only if the agent
 * reaches the new primary within the retention window (and the spool's size
 * bound did not push the batch out first).
 */

import { messageOf } from '@pharos/core/errors';
import { isFailoverError } from '@pharos/core/ha/errors';
import type { Logger } from '@pharos/core/log';
import type { Queryable } from '@pharos/core/query';
import { type Clock, pause, systemClock } from '../schedule/clock.js';
import type { Batch, Spool } from '../spool/spool.js';
import type { ServerIdentity } from './server-identity.js';
import { shipBatch } from './ship-batch.js';
import { storedBatches } from './stored-batches.js';

/** Options of {@link Shipper}. */
export interface ShipperOptions {
  agentId: number;
  spool: Spool;
  conn: Queryable;
  logger: Logger;
  /** Samples per batch (default 1000). */
  batchSize?: number;
  /** Deadline of one ship transaction, ms (default 20000). */
  deadlineMs?: number;
  /** Wait after a non-failover error, ms (default 30000). */
  longWaitMs?: number;
  /** Longest wait between attempts after failover-class errors, ms (default 2000). */
  maxFailoverBackoffMs?: number;
  /**
   * How long a ship that has to select a host waits for one to become primary
   * (HaConnection's `awaitTargetMs`), ms, within `deadlineMs` (default 10000).
   */
  awaitPrimaryMs?: number;
  /** Idle poll when the spool is empty, ms (default 1000; new samples wake the loop earlier). */
  idleWaitMs?: number;
  /** Time source of the retry waits and the stop grace (default the wall clock; tests pass a fake one). */
  clock?: Clock;
}

/** Shipping figures for the agent's own metrics. */
export interface ShipperStats {
  lastUploadLatencyMs: number | null;
  lastUploadAt: Date | null;
  shippedSamples: number;
  shippedBatches: number;
  repeatedBatches: number;
  /** Retained (already acknowledged) batches a new backend server said it stores: not shipped again. */
  confirmedBatches: number;
  /** Retained (already acknowledged) batches shipped again after a backend server change (the new server lacked them). */
  replayedBatches: number;
  /** Of those, the ones the backend stored: they had been lost (asynchronous replication). */
  recoveredBatches: number;
  shipErrors: number;
  consecutiveFailures: number;
  /** Identity key of the server that acknowledged the last ship (ship/server-identity.ts), null before one. */
  backendServer: string | null;
}

/**
 * One unit of shipping work: a new batch from the spool, a retained one
 * shipped again, or the question which retained batches (`ids`) the server stores.
 */
type Work = { batch: Batch; replay: boolean; ask?: undefined } | { ask: string[]; batch?: undefined };

/** SQLSTATE undefined_function: the backend's schema predates `pem.agent_stored_batches`. */
const UNDEFINED_FUNCTION = '42883';

/**
 * The wait before the next attempt after `failures` consecutive
 * failover-class errors, ms: none after the first (the next attempt selects a
 * host and waits there for a promotion), then 200, 400, 800 ... up to `maxMs`.
 */
export function failoverWaitMs(failures: number, maxMs: number): number {
  if (failures <= 1) return 0;
  return Math.min(maxMs, 200 * 2 ** Math.min(10, failures - 2));
}

/** Runs the ship loop between {@link start} and {@link stop}. */
export class Shipper {
  readonly stats: ShipperStats = {
    lastUploadLatencyMs: null,
    lastUploadAt: null,
    shippedSamples: 0,
    shippedBatches: 0,
    repeatedBatches: 0,
    confirmedBatches: 0,
    replayedBatches: 0,
    recoveredBatches: 0,
    shipErrors: 0,
    consecutiveFailures: 0,
    backendServer: null,
  };
  private readonly opts: ShipperOptions;
  /** The re-ship in progress after a server change: batches confirmed, re-shipped, and stored, so far. */
  private round: { confirmed: number; replayed: number; recovered: number } | undefined;
  /** The server identity last asked which retained batches it stores (asked once per identity). */
  private askedServer: string | null = null;
  /** Set when the backend lacks `pem.agent_stored_batches`: every retained batch is shipped again. */
  private cannotAsk = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly clock: Clock;

  constructor(opts: ShipperOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
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
    let cancel: (() => void) | undefined;
    const ended = await Promise.race([
      this.loop.then(() => true),
      new Promise<boolean>((r) => {
        cancel = this.clock.after(graceMs, () => r(false));
      }),
    ]);
    cancel?.();
    return ended;
  }

  /**
   * Ships everything that is in the spool now, re-ships included (for tests
   * and a drain on demand); throws on the first failure. Resolves to the number
   * of new samples shipped (re-shipped ones not counted).
   */
  async drainOnce(): Promise<number> {
    let n = 0;
    for (;;) {
      const work = await this.nextWork();
      if (!work) return n;
      await this.doWork(work);
      if (work.batch && !work.replay) n += work.batch.samples.length;
    }
  }

  /**
   * The next thing to do: when retained batches were acknowledged by another
   * server than the last acknowledgement's and that server was not asked yet,
   * the question which of them it stores; else such a retained batch (oldest
   * first: the ones the server lacks); else the spool's next batch; else
   * undefined. Ends a re-ship round (and reports it) when no retained batch
   * is left to ship again.
   */
  private async nextWork(): Promise<Work | undefined> {
    const { spool } = this.opts;
    const server = this.stats.backendServer;
    if (server !== null) {
      if (this.askedServer !== server && !this.cannotAsk) {
        const ids = await spool.retainedIds({ notAckedBy: server });
        // nothing retained from another server: nothing to ask this one (until the server changes)
        if (ids.length === 0) this.askedServer = server;
        else {
          this.startRound(server, ids.length);
          return { ask: ids };
        }
      }
      const [again] = await spool.retainedBatches({ notAckedBy: server, max: 1 });
      if (again) {
        this.startRound(server, undefined);
        return { batch: again, replay: true };
      }
      this.endRound();
    }
    const batch = await spool.nextBatch(this.opts.batchSize ?? 1000);
    return batch && { batch, replay: false };
  }

  /** Starts a re-ship round (logged once per round). `retained`: how many batches the server is asked about. */
  private startRound(server: string, retained: number | undefined): void {
    if (this.round) return;
    this.round = { confirmed: 0, replayed: 0, recovered: 0 };
    this.opts.logger.info(
      { server, retainedBatches: retained ?? null },
      retained === undefined
        ? 'batches acknowledged by another backend server (a failover or a restart) are retained; shipping them again, oldest first'
        : 'batches acknowledged by another backend server (a failover or a restart) are retained; asking the server which of them it stores',
    );
  }

  /** Asks the server which of the retained batches `ids` it stores and stamps those as acknowledged by it. */
  private async ask(ids: string[]): Promise<void> {
    let answer: Awaited<ReturnType<typeof storedBatches>>;
    try {
      answer = await storedBatches(
        this.opts.conn,
        this.opts.agentId,
        ids,
        this.opts.deadlineMs ?? 20000,
        this.opts.awaitPrimaryMs ?? 10000,
      );
    } catch (err) {
      if ((err as { code?: string }).code !== UNDEFINED_FUNCTION) throw err;
      this.cannotAsk = true;
      this.opts.logger.warn(
        { err: messageOf(err) },
        "the backend's schema lacks pem.agent_stored_batches (an older release): every retained batch is shipped again",
      );
      return;
    }
    const confirmed = await this.opts.spool.confirmRetained(answer.stored, answer.server.key);
    this.noteServer(answer.server);
    this.askedServer = answer.server.key;
    this.stats.confirmedBatches += confirmed;
    if (this.round) this.round.confirmed += confirmed;
    this.opts.logger.debug(
      { server: answer.server.key, asked: ids.length, stored: confirmed },
      'the backend server said which retained batches it stores',
    );
  }

  /** Reports a finished re-ship round (a warning when batches had been lost). */
  private endRound(): void {
    const round = this.round;
    this.round = undefined;
    if (!round) return;
    const fields = {
      confirmedBatches: round.confirmed,
      replayedBatches: round.replayed,
      recoveredBatches: round.recovered,
    };
    if (round.recovered > 0) {
      this.opts.logger.warn(
        fields,
        `${round.recovered} acknowledged batches were missing on the new primary (asynchronous replication) and were shipped again`,
      );
    } else {
      this.opts.logger.info(
        fields,
        `the backend had all ${round.confirmed + round.replayed} retained batches (${round.confirmed} confirmed in one question, ${round.replayed} shipped again)`,
      );
    }
  }

  /** Notes the server that acknowledged a ship, logging a change. */
  private noteServer(server: ServerIdentity): void {
    const previous = this.stats.backendServer;
    if (previous !== null && previous !== server.key) {
      this.opts.logger.info({ previous, server: server.key }, 'the backend server changed');
    }
    this.stats.backendServer = server.key;
  }

  /** Does one unit of work: the question, or a ship. */
  private async doWork(work: Work): Promise<void> {
    if (work.ask) await this.ask(work.ask);
    else await this.shipOne(work.batch, work.replay);
  }

  /** Ships one batch, acknowledges it to the spool with the server's identity, and counts it. */
  private async shipOne(batch: Batch, replay: boolean): Promise<void> {
    const r = await shipBatch(
      this.opts.conn,
      this.opts.agentId,
      batch,
      this.opts.deadlineMs ?? 20000,
      this.opts.awaitPrimaryMs ?? 10000,
    );
    await this.opts.spool.ack(batch, r.server.key);
    this.noteServer(r.server);
    const s = this.stats;
    const log = this.opts.logger;
    s.lastUploadLatencyMs = Math.round(r.latencyMs * 10) / 10;
    s.lastUploadAt = new Date(this.clock.now());
    const where = { batchId: batch.batchId, first: batch.firstSampleId, last: batch.lastSampleId };
    if (replay) {
      s.replayedBatches++;
      if (this.round) this.round.replayed++;
      if (r.stored) {
        s.recoveredBatches++;
        if (this.round) this.round.recovered++;
        log.info(
          { ...where, server: r.server.key },
          'an acknowledged batch was missing on the backend; stored again',
        );
      } else {
        log.debug(where, 're-shipped batch was already stored');
      }
    } else {
      s.shippedBatches++;
      s.shippedSamples += batch.samples.length;
      if (!r.stored) {
        s.repeatedBatches++;
        log.info(where, 'batch was already stored (acknowledgement lost earlier); acknowledged now');
      } else {
        log.debug(
          { batchId: batch.batchId, samples: batch.samples.length, latencyMs: s.lastUploadLatencyMs },
          'batch shipped',
        );
      }
    }
    if (s.consecutiveFailures > 0) log.info({ afterFailures: s.consecutiveFailures }, 'shipping resumed');
    s.consecutiveFailures = 0;
  }

  private async run(): Promise<void> {
    const { spool, logger } = this.opts;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let work: Work | undefined;
      try {
        work = await this.nextWork();
      } catch (err) {
        logger.error({ err: messageOf(err) }, 'cannot read the spool');
        await pause(this.opts.longWaitMs ?? 30000, signal, this.clock);
        continue;
      }
      if (!work) {
        await spool.waitForData(this.opts.idleWaitMs ?? 1000, signal);
        continue;
      }
      try {
        await this.doWork(work);
      } catch (err) {
        const s = this.stats;
        s.shipErrors++;
        s.consecutiveFailures++;
        const failover = isFailoverError(err);
        const waitMs = failover
          ? failoverWaitMs(s.consecutiveFailures, this.opts.maxFailoverBackoffMs ?? 2000)
          : (this.opts.longWaitMs ?? 30000);
        const fields = {
          ...(work.ask
            ? { askedBatches: work.ask.length }
            : { batchId: work.batch.batchId, replay: work.replay, samples: work.batch.samples.length }),
          err: messageOf(err),
          code: (err as { code?: string }).code,
          attempt: s.consecutiveFailures,
          retryInMs: waitMs,
        };
        const what = work.ask ? 'asking which retained batches are stored' : 'shipping';
        const again = work.ask ? 'asking again' : 'retrying the same batch';
        if (failover) logger.warn(fields, `${what} failed (failover-class); ${again}`);
        else logger.error(fields, `${what} failed; ${again} after the long wait`);
        if (waitMs > 0) await pause(waitMs, signal, this.clock);
      }
    }
  }
}
