/**
 * A fixed-rate schedule: runs a task every `intervalMs`, aligned to the start
 * time (so runs do not drift), never two runs of the same task at once. A tick
 * that comes while the previous run is still going is skipped and reported
 * through `onOverrun` (a slow server skips its own cycles; it never queues
 * them up and never delays anyone else's).
 */
import { type Clock, systemClock } from './clock.js';

/** A running schedule. */
export interface Ticker {
  /** Stops scheduling; resolves when the run in progress (if any) has finished. */
  stop(): Promise<void>;
}

/** Options of {@link startTicker}. */
export interface TickerOptions {
  /** Delay before the first run, ms (default 0: at once). */
  initialDelayMs?: number;
  /** Called with the number of ticks skipped because a run was still in progress. */
  onOverrun?: (skipped: number) => void;
  /** Receives what `task` threw (the schedule goes on). */
  onError?: (err: unknown) => void;
  /** Time source (default the wall clock; tests pass a fake one). */
  clock?: Clock;
}

/**
 * Starts running `task` every `intervalMs` milliseconds (> 0). The first run is
 * after `initialDelayMs`. Errors of `task` go to `onError` and never stop the
 * schedule.
 */
export function startTicker(intervalMs: number, task: () => Promise<void>, opts: TickerOptions = {}): Ticker {
  if (!(intervalMs > 0)) throw new RangeError(`interval must be positive, got ${intervalMs}`);
  const clock = opts.clock ?? systemClock;
  let stopped = false;
  let cancelTimer: (() => void) | undefined;
  let running: Promise<void> | undefined;
  const origin = clock.now() + (opts.initialDelayMs ?? 0);
  let n = 0; // index of the next tick

  const schedule = () => {
    if (stopped) return;
    const now = clock.now();
    let due = origin + n * intervalMs;
    if (n > 0 && due < now) {
      // the previous run outlasted the tick(s) (a slow server, a suspended process): skip them
      const skipped = Math.ceil((now - due) / intervalMs);
      n += skipped;
      due = origin + n * intervalMs;
      opts.onOverrun?.(skipped);
    }
    cancelTimer = clock.after(Math.max(0, due - now), fire);
  };

  const fire = () => {
    n++;
    if (stopped) return;
    running = (async () => {
      try {
        await task();
      } catch (err) {
        opts.onError?.(err);
      }
    })();
    void running.then(() => {
      running = undefined;
      schedule();
    });
  };

  schedule();
  return {
    async stop() {
      stopped = true;
      cancelTimer?.();
      await running;
    },
  };
}
