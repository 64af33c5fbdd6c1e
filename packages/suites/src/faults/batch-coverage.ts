/**
 * Coverage of an agent's sample ids by the batches the backend stored
 * (`pem.ship_batch`: one row per stored batch, its first and last sample id
 * and its sample count). A spool batch holds consecutive sample ids, so each
 * row stands for the whole id range [first, last]. Pure functions, for the
 * exactly-once check.
 */

/** An inclusive range of sample ids. */
export interface IdRange {
  from: number;
  to: number;
}

/** A stored batch as pem.ship_batch records it. */
export interface StoredBatch {
  first: number;
  last: number;
  sampleCount: number;
}

/** What the batches cover within [from, to]. */
export interface Coverage {
  /** Ids in [from, to] in no batch and in no `skipped` range. */
  missing: number;
  /** Ids stored in more than one batch (each extra copy counts). */
  duplicated: number;
  /** Batches whose sample count is not last - first + 1 (not a run of consecutive ids). */
  irregular: number;
  /** A few missing ids and doubly covered ranges, for messages. */
  examples: string[];
}

/** Number of ids of `ranges` inside [from, to]. */
export function overlap(ranges: readonly IdRange[], from: number, to: number): number {
  let n = 0;
  for (const r of ranges) n += Math.max(0, Math.min(r.to, to) - Math.max(r.from, from) + 1);
  return n;
}

/**
 * Walks the batches in id order over [from, to]: ids no batch covers (minus
 * `skipped`) are missing, ids two batches cover are duplicated.
 */
export function coverage(
  batches: readonly StoredBatch[],
  from: number,
  to: number,
  skipped: readonly IdRange[] = [],
): Coverage {
  const sorted = [...batches].sort((a, b) => a.first - b.first);
  const out: Coverage = { missing: 0, duplicated: 0, irregular: 0, examples: [] };
  let next = from; // lowest id in [from, to] not yet covered
  for (const b of sorted) {
    if (b.sampleCount !== b.last - b.first + 1) out.irregular++;
    const lo = Math.max(b.first, from);
    const hi = Math.min(b.last, to);
    if (lo > hi) continue;
    if (lo > next) {
      const gap = lo - next - overlap(skipped, next, lo - 1);
      if (gap > 0) {
        out.missing += gap;
        out.examples.push(`missing ${next}..${lo - 1}`);
      }
    }
    if (lo < next) {
      const twice = Math.min(hi, next - 1) - lo + 1;
      out.duplicated += twice;
      out.examples.push(`ids ${lo}..${lo + twice - 1} in two batches`);
    }
    next = Math.max(next, hi + 1);
  }
  if (next <= to) {
    const gap = to - next + 1 - overlap(skipped, next, to);
    if (gap > 0) {
      out.missing += gap;
      out.examples.push(`missing ${next}..${to}`);
    }
  }
  out.examples = out.examples.slice(0, 6);
  return out;
}
