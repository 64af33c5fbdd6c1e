/**
 * Test support: a seeded pseudo-random generator (mulberry32, 32-bit state),
 * so a fuzz run is the same run every time: the same cases in the same order.
 */

/** A generator of numbers in [0, 1) from a 32-bit seed. */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The next number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** `n` of `items` (all when n >= length), picked without repetition, in their original order. */
  sample<T>(items: readonly T[], n: number): T[] {
    if (n >= items.length) return [...items];
    const keys = items.map((item, i) => ({ item, i, k: this.next() }));
    return keys
      .sort((a, b) => a.k - b.k)
      .slice(0, n)
      .sort((a, b) => a.i - b.i)
      .map((x) => x.item);
  }
}
