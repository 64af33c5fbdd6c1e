/**
 * The evaluation loop an agent runs (by default only agents on backend
 * hosts): a round of {@link evaluateDueAlerts} every `pollMs`, and the
 * retention job (`pem.alert_housekeeping`, which runs at most once per its
 * interval however many agents call it) every `housekeepingMs`. A failed
 * round is logged and the loop carries on (after a failover the connection
 * selects the new primary at the next round).
 */
import { messageOf } from '@pharos/core/errors';
import type { Queryable, Transactional } from '@pharos/core/query';
import { type EvaluateOptions, type EvaluationStats, evaluateDueAlerts } from './evaluate.js';

/** Options of {@link AlertEvaluator}. */
export interface EvaluatorOptions extends EvaluateOptions {
  db: Queryable & Transactional;
  agentId: number;
  /** Pause between rounds, ms (default 1000). */
  pollMs?: number;
  /** Between housekeeping calls, ms (default 600000). */
  housekeepingMs?: number;
}

/** Totals since start. */
export interface EvaluatorStats extends EvaluationStats {
  rounds: number;
  failedRounds: number;
  lastError: string | null;
  lastRoundAt: Date | null;
}

/** Runs evaluation rounds until stopped. */
export class AlertEvaluator {
  readonly stats: EvaluatorStats = {
    evaluated: 0,
    problems: 0,
    notifications: 0,
    batches: 0,
    timeouts: 0,
    rounds: 0,
    failedRounds: 0,
    lastError: null,
    lastRoundAt: null,
  };
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private current: Promise<void> | undefined;
  private lastHousekeeping = 0;

  constructor(private readonly o: EvaluatorOptions) {}

  /** Starts the loop (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops after the round in progress (if any) ends. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.current;
  }

  /** One round now (also used by tests); never throws (failures are counted and logged). */
  async round(): Promise<void> {
    try {
      const s = await evaluateDueAlerts(this.o.db, this.o.agentId, this.o);
      this.stats.evaluated += s.evaluated;
      this.stats.problems += s.problems;
      this.stats.notifications += s.notifications;
      this.stats.batches += s.batches;
      this.stats.timeouts += s.timeouts;
      this.stats.rounds++;
      this.stats.lastRoundAt = new Date();
      if (s.evaluated > 0) this.o.logger?.debug({ ...s }, 'alerts evaluated');
      if (Date.now() - this.lastHousekeeping >= (this.o.housekeepingMs ?? 600_000)) {
        this.lastHousekeeping = Date.now();
        const r = await this.o.db.query<{ n: string | null }>('SELECT pem.alert_housekeeping($1) AS n', [
          this.o.agentId,
        ]);
        if (r.rows[0]?.n !== null && r.rows[0]?.n !== undefined)
          this.o.logger?.info({ deleted: Number(r.rows[0].n) }, 'alert housekeeping ran');
      }
    } catch (err) {
      this.stats.failedRounds++;
      this.stats.lastError = messageOf(err);
      this.o.logger?.warn(
        { err: messageOf(err) },
        'alert evaluation round failed; retrying at the next round',
      );
    }
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.current = this.round().finally(() => this.schedule(this.o.pollMs ?? 1000));
    }, ms);
  }
}
