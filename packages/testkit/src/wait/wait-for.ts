/**
 * Condition waits with a deadline, for tests: the one way a test waits for
 * something to happen (a row stored, a process up, a log line written). A
 * fixed sleep is refused in *.test.ts files (scripts/check-waits.mjs).
 *
 * When the deadline passes the error says what was awaited, the last value
 * the condition returned or the last error it threw, and the tails of the
 * log files of the processes the test started (log-set.ts).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type LogSet, testLogs } from './log-set.js';

/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** How long to keep trying, ms (default 30000). */
  deadlineMs?: number;
  /** Pause between two checks, ms (default 100). */
  intervalMs?: number;
  /** Logs to dump on timeout (default {@link testLogs}); `null`: none. */
  logs?: LogSet | null;
  /** Lines per log file in the dump (default 20). */
  logLines?: number;
  /** Called on timeout: the state to report beside the last value (e.g. what a receiver got so far). */
  state?: () => unknown;
}

/** Thrown by {@link waitFor} when the deadline passed; the message carries the last value and the logs. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  constructor(
    message: string,
    /** The condition's last result (undefined when it never returned). */
    readonly lastValue: unknown,
    /** What the condition threw last, if it threw. */
    readonly lastError: unknown,
  ) {
    super(message);
  }
}

/**
 * Thrown inside a condition to stop waiting at once (the awaited process
 * died, so the wait can never succeed). Any error named `FatalWaitError` (ops'
 * lab/processes.ts has one) has the same effect.
 */
export class FatalWaitError extends Error {
  override readonly name = 'FatalWaitError';
}

/** A value {@link waitFor} keeps waiting on: undefined, null and false. */
type Falsy = undefined | null | false;

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  try {
    const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
    return s.length > 500 ? `${s.slice(0, 500)}…` : s;
  } catch {
    return String(v);
  }
}

/**
 * Calls `condition` every `intervalMs` until it returns something other than
 * undefined, null or false, and resolves to that value. A condition that
 * throws is retried (its error is remembered for the report), except a
 * {@link FatalWaitError}, which is rethrown at once.
 *
 * @param what what is awaited, as the end of "waiting for …" (e.g. `'the agent to ship 25 samples'`)
 * @throws WaitTimeoutError after `deadlineMs`: `timed out after N s waiting for <what>; last value: …;
 *   last error: …` followed by the tails of the watched log files
 */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  opts: WaitOptions = {},
): Promise<Exclude<T, Falsy>> {
  const deadlineMs = opts.deadlineMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 100;
  const end = Date.now() + deadlineMs;
  let lastValue: unknown;
  let lastError: unknown;
  let returned = false;
  for (;;) {
    try {
      const v = await condition();
      returned = true;
      lastValue = v;
      lastError = undefined;
      if (v !== undefined && v !== null && v !== false) return v as Exclude<T, Falsy>;
    } catch (err) {
      if ((err as Error | undefined)?.name === 'FatalWaitError') throw err;
      lastError = err;
    }
    if (Date.now() >= end) {
      const parts = [`timed out after ${(deadlineMs / 1000).toFixed(1)} s waiting for ${what}`];
      if (returned) parts.push(`last value: ${describe(lastValue)}`);
      if (lastError !== undefined)
        parts.push(`last error: ${lastError instanceof Error ? lastError.message : describe(lastError)}`);
      if (opts.state) {
        let state: unknown;
        try {
          state = opts.state();
        } catch (err) {
          state = `(state unavailable: ${err instanceof Error ? err.message : String(err)})`;
        }
        parts.push(`state: ${typeof state === 'string' ? state : describe(state)}`);
      }
      const logs = opts.logs === undefined ? testLogs : opts.logs;
      const dump = logs?.dump(opts.logLines ?? 20) ?? '';
      throw new WaitTimeoutError(
        `${parts.join('; ')}${dump ? `\nlogs of the processes this test started:\n${dump}` : ''}`,
        lastValue,
        lastError,
      );
    }
    await delay(Math.min(intervalMs, Math.max(1, end - Date.now())));
  }
}
