/**
 * When each probe of a monitor is due. Monitors wake every tick (the
 * agent's `probe_interval_s`) and run what is due: a probe with interval I
 * runs on the first tick at least I after its previous run (a little early
 * is accepted: up to half a tick, at most 1 s, so tick jitter does not skip
 * a run). Intervals shorter than a tick run every tick. A changed interval
 * applies at once (the next run is counted from the previous one).
 */

/** Due bookkeeping of one monitor, by key (a probe name, or probe + database). */
export class DueTracker {
  private readonly lastRun = new Map<string, number>();
  private readonly slackMs: number;

  constructor(tickMs: number) {
    this.slackMs = Math.min(tickMs / 2, 1000);
  }

  /** True when `key` with interval `intervalMs` is due at `nowMs` (never run: due). */
  isDue(key: string, intervalMs: number, nowMs: number): boolean {
    const last = this.lastRun.get(key);
    return last === undefined || nowMs + this.slackMs >= last + intervalMs;
  }

  /** Records a run of `key` started at `nowMs`. */
  ran(key: string, nowMs: number): void {
    this.lastRun.set(key, nowMs);
  }

  /** Forgets `key` (it becomes due at once). */
  reset(key: string): void {
    this.lastRun.delete(key);
  }
}
