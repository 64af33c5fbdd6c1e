/**
 * A fake clock for unit tests of time-driven code (the agent's ticker,
 * shipper and spool take a clock: `now()` and `after(ms, fn)`, see
 * agent/src/schedule/clock.ts). Time moves only when the test says so, so a
 * test can state exact outcomes: "after 200 ms of virtual time, exactly 6 runs".
 *
 * {@link FakeClock.advance} fires due timers one at a time in due order,
 * letting the promise jobs each one starts run (and schedule new timers)
 * before the next fires. Code that awaits real I/O between timers (a spool on
 * disk) still needs a condition wait (wait/wait-for.ts) for that I/O.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

interface FakeTimer {
  id: number;
  due: number;
  fn: () => void;
}

/** A clock whose time moves only by {@link FakeClock.advance}. Structurally an agent `Clock`. */
export class FakeClock {
  private t: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  /** @param startMs the initial time, ms since the Unix epoch (default 0) */
  constructor(startMs = 0) {
    this.t = startMs;
  }

  /** Virtual time, ms since the Unix epoch. */
  now(): number {
    return this.t;
  }

  /** Calls `fn` when virtual time reaches now + `ms` (ms <= 0: at the next advance); returns the cancel function. */
  after(ms: number, fn: () => void): () => void {
    const timer = { id: this.seq++, due: this.t + Math.max(0, ms), fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Resolves when `ms` of virtual time have passed (for the tasks a test hands to the code under test). */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** Number of timers not yet fired or cancelled. */
  get pending(): number {
    return this.timers.length;
  }

  /** Virtual ms until the earliest timer is due, or undefined when none is set. */
  nextDueInMs(): number | undefined {
    if (this.timers.length === 0) return undefined;
    return Math.min(...this.timers.map((x) => x.due)) - this.t;
  }

  /** Lets pending promise jobs and immediates run (several event-loop turns, no virtual time). */
  async settle(turns = 10): Promise<void> {
    for (let i = 0; i < turns; i++) await nextTurn();
  }

  /**
   * Moves virtual time forward by `ms`, firing every timer due up to the new
   * time (inclusive) in due order (ties: in the order they were set), with
   * {@link settle} before each and at the end, so a timer set by a fired one
   * fires too when it is due within the span.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance needs ms >= 0, got ${ms}`);
    const end = this.t + ms;
    for (;;) {
      await this.settle();
      const next = this.timers.filter((x) => x.due <= end).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.due);
      next.fn();
    }
    this.t = end;
    await this.settle();
  }
}
