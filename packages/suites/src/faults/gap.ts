/**
 * The write gap of a fault: the longest time without an acknowledged write.
 */

/** The longest stretch without an acknowledgement: its length and its ends (ms since the epoch). */
export interface WriteGap {
  gapMs: number;
  /** Last acknowledgement before the gap (or the window start when there was none). */
  fromMs: number;
  /** First acknowledgement after the gap (or the window end when writes had not resumed). */
  toMs: number;
}

/**
 * Longest gap between consecutive acknowledgement times in the window
 * [`windowStartMs`, `windowEndMs`]: the last acknowledgement before the window
 * opens it (a gap that began before the fault counts whole), and a gap still
 * open at the window end counts up to that end. `acks` are ms since the epoch,
 * ascending.
 */
export function longestGap(acks: readonly number[], windowStartMs: number, windowEndMs: number): WriteGap {
  let prev = windowStartMs;
  for (const t of acks) {
    if (t <= windowStartMs) prev = t;
    else break;
  }
  let best: WriteGap = { gapMs: 0, fromMs: prev, toMs: prev };
  for (const t of acks) {
    if (t <= windowStartMs) continue;
    if (t > windowEndMs) break;
    if (t - prev > best.gapMs) best = { gapMs: t - prev, fromMs: prev, toMs: t };
    prev = t;
  }
  if (windowEndMs - prev > best.gapMs) best = { gapMs: windowEndMs - prev, fromMs: prev, toMs: windowEndMs };
  return best;
}
