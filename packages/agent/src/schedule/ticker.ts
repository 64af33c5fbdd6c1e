/**
 * A fixed-rate schedule: runs a task every `intervalMs`, aligned to the start
 * time (so runs do not drift), never two runs of the same task at once. A tick
 * that comes while the previous run is still going is skipped and reported
 * through `onOverrun` (a slow server skips its own cycles; it never queues
 * them up and never delays anyone else's).
 */

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
}

/**
 * Starts running `task` every `intervalMs` milliseconds (> 0). The first run is
 * after `initialDelayMs`. Errors of `task` go to `onError` and never stop the
 * schedule.
 */
export function startTicker(intervalMs: number, task: () => Promise<void>, opts: TickerOptions = {}): Ticker {
  if (!(intervalMs > 0)) throw new RangeError(`interval must be positive, got ${intervalMs}`);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const origin = Date.now() + (opts.initialDelayMs ?? 0);
  let n = 0; // index of the next tick

  const schedule = () => {
    if (stopped) return;
    const now = Date.now();
    let due = origin + n * intervalMs;
    if (n > 0 && due < now) {
      // the previous run outlasted the tick(s) (a slow server, a suspended process): skip them
      const skipped = Math.ceil((now - due) / intervalMs);
      n += skipped;
      due = origin + n * intervalMs;
      opts.onOverrun?.(skipped);
    }
    timer = setTimeout(fire, Math.max(0, due - now));
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
      clearTimeout(timer);
      await running;
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
