/**
 * The time source of the agent's schedules (ticker, shipper, spool): the wall
 * clock in production, a fake one in unit tests (@pharos/testkit's
 * FakeClock), so scheduling logic is tested in virtual time, exactly.
 */

/** What time-driven code needs of a clock. */
export interface Clock {
  /** Now, ms since the Unix epoch. */
  now(): number;
  /** Calls `fn` once after `ms` ms; the returned function cancels it (a no-op once fired). */
  after(ms: number, fn: () => void): () => void;
}

/** The wall clock: `Date.now` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** Resolves after `ms` on `clock`, or at once when `signal` aborts. Never rejects. */
export function pause(ms: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const cancel = clock.after(ms, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}
