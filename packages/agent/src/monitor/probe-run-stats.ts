/**
 * Per-probe run figures of the agent, for the `probe_stats` probe
 * (probes/agent/probe-stats.ts): every monitor reports each run here.
 */
import type { ProbeRow } from '../probes/types.js';

interface Entry {
  runs: number;
  failures: number;
  rows: number;
  runTimeMs: number;
  maxRunTimeMs: number;
  lastFailureAt: string | null;
  lastError: string | null;
}

/** Accumulates runs per probe name. */
export class ProbeRunStats {
  private readonly byProbe = new Map<string, Entry>();

  /** Records one run of `probe` (`error` set when it failed). */
  record(probe: string, runTimeMs: number, rows: number, error?: string): void {
    let e = this.byProbe.get(probe);
    if (!e) {
      e = {
        runs: 0,
        failures: 0,
        rows: 0,
        runTimeMs: 0,
        maxRunTimeMs: 0,
        lastFailureAt: null,
        lastError: null,
      };
      this.byProbe.set(probe, e);
    }
    e.runs++;
    e.rows += rows;
    e.runTimeMs += runTimeMs;
    e.maxRunTimeMs = Math.max(e.maxRunTimeMs, runTimeMs);
    if (error !== undefined) {
      e.failures++;
      e.lastFailureAt = new Date().toISOString();
      e.lastError = error.slice(0, 500);
    }
  }

  /** One row per probe; the longest run restarts from 0 after each call. */
  rows(): ProbeRow[] {
    const out: ProbeRow[] = [];
    for (const [probe, e] of [...this.byProbe].sort((a, b) => a[0].localeCompare(b[0]))) {
      out.push({
        probe,
        runs: e.runs,
        failures: e.failures,
        rows: e.rows,
        run_time_ms: Math.round(e.runTimeMs * 1000) / 1000,
        max_run_time_ms: Math.round(e.maxRunTimeMs * 1000) / 1000,
        last_failure_at: e.lastFailureAt,
        last_error: e.lastError,
      });
      e.maxRunTimeMs = 0;
    }
    return out;
  }
}
