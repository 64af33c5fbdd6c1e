/**
 * Retry delays for notifications: exponential backoff with jitter.
 * Attempt n (1-based: the attempt that just failed) waits
 * min(maxS, baseS * 2^(n-1)) seconds, multiplied by a random factor in
 * [1 - jitter, 1 + jitter] so that receivers recovering from an outage are
 * not hit by every sender at once.
 */

/** Backoff policy, seconds. */
export interface BackoffPolicy {
  baseS: number;
  maxS: number;
  /** Relative jitter, 0..1 (default 0.2). */
  jitter?: number;
}

/** The reference-like default: 10 s, 20 s, 40 s ... at most 15 minutes. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseS: 10, maxS: 900, jitter: 0.2 };

/**
 * Seconds to wait after failed attempt `attempt` (1-based). `random` returns
 * [0, 1) (default Math.random). Throws RangeError for attempt < 1.
 */
export function retryDelayS(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  if (!(attempt >= 1)) throw new RangeError(`attempt must be >= 1, got ${attempt}`);
  const raw = Math.min(policy.maxS, policy.baseS * 2 ** Math.min(attempt - 1, 30));
  const j = policy.jitter ?? 0.2;
  return Math.max(0, raw * (1 - j + 2 * j * random()));
}
