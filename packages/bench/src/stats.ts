/**
 * Summary statistics of repeated measurements: every figure of the report is
 * one of these, so it always carries its number of runs and its spread.
 */

/** Runs, median and spread (min, max, p5, p95: nearest rank) of a set of measurements, in their unit. */
export interface Summary {
  runs: number;
  median: number;
  min: number;
  max: number;
  p5: number;
  p95: number;
  unit: string;
}

/** The p-th percentile (0-100) of ascending `sorted` values, nearest rank; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Median of `values` (mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Summarises `values` (measured in `unit`). An empty list gives runs 0 and NaN figures. */
export function summarize(values: readonly number[], unit: string): Summary {
  const s = [...values].sort((a, b) => a - b);
  return {
    runs: s.length,
    median: median(s),
    min: s[0] ?? Number.NaN,
    max: s.at(-1) ?? Number.NaN,
    p5: percentile(s, 5),
    p95: percentile(s, 95),
    unit,
  };
}

/** "median (min–max, n runs) unit" with `digits` decimals; "—" for no runs. */
export function formatSummary(s: Summary, digits = 2): string {
  if (s.runs === 0) return '—';
  const f = (x: number) => x.toFixed(digits);
  const unit = s.unit ? ` ${s.unit}` : '';
  return s.runs === 1
    ? `${f(s.median)}${unit} (1 run)`
    : `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)}, ${s.runs} runs)`;
}
