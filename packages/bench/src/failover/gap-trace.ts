/**
 * Where a write gap went: one timeline per fault run, merging what every
 * writer saw around its gap — the cluster's own writers on each backend
 * (their last acknowledgement before and first after), the Pharos writer's
 * host attempts, re-checks, drops, selections and failed writes
 * (HaConnection's `trace`, core ha/trace.ts), and psql's failed invocations
 * with libpq's messages. Pure: the benchmark collects the events, this
 * orders and prints them (gap-trace.test.ts).
 */

/** One line of the timeline: when (ms since the epoch), which writer, what. */
export interface TraceLine {
  atMs: number;
  who: string;
  what: string;
}

/** Acknowledgement times of one writer: the last before `fromMs` and the first at or after `toMs`, as lines. */
export function ackEdges(who: string, acks: readonly number[], fromMs: number, toMs: number): TraceLine[] {
  let before: number | undefined;
  let after: number | undefined;
  for (const t of acks) {
    if (t < fromMs) before = t;
    else if (t >= toMs) {
      after = t;
      break;
    }
  }
  const out: TraceLine[] = [];
  if (before !== undefined) out.push({ atMs: before, who, what: 'last acknowledged write before the gap' });
  if (after !== undefined) out.push({ atMs: after, who, what: 'first acknowledged write after the gap' });
  return out;
}

/**
 * Consecutive lines of the same writer with the same text collapsed into the
 * first, with "(×n until +x.xxx s)" appended; lines sorted by time first.
 */
export function collapse(lines: readonly TraceLine[], originMs: number): TraceLine[] {
  const sorted = [...lines].sort((a, b) => a.atMs - b.atMs);
  const out: { line: TraceLine; n: number; lastMs: number }[] = [];
  const lastOf = new Map<string, { line: TraceLine; n: number; lastMs: number }>();
  for (const l of sorted) {
    const prev = lastOf.get(l.who);
    if (prev && prev.line.what === l.what) {
      prev.n++;
      prev.lastMs = l.atMs;
      continue;
    }
    const e = { line: { ...l }, n: 1, lastMs: l.atMs };
    out.push(e);
    lastOf.set(l.who, e);
  }
  return out.map((e) =>
    e.n === 1 ? e.line : { ...e.line, what: `${e.line.what} (×${e.n} until ${rel(e.lastMs, originMs)})` },
  );
}

/** `+1.234 s` (or `-0.100 s`) of `atMs` relative to `originMs`. */
export function rel(atMs: number, originMs: number): string {
  const s = (atMs - originMs) / 1000;
  return `${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(3)} s`;
}

/** The timeline as text: one line per event, time relative to `originMs`, lines within [fromMs, toMs]. */
export function formatTimeline(
  lines: readonly TraceLine[],
  originMs: number,
  fromMs: number,
  toMs: number,
): string {
  return collapse(
    lines.filter((l) => l.atMs >= fromMs && l.atMs <= toMs),
    originMs,
  )
    .map((l) => `${rel(l.atMs, originMs).padStart(10)}  ${l.who.padEnd(24)} ${l.what}`)
    .join('\n');
}
