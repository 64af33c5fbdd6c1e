/**
 * `probe_stats` probe: how the agent's probes run (docs/reference/metrics.md family 19 "the
 * monitor itself: per-probe duration, errors, rows"): per probe, summed over
 * every server this agent monitors, since the agent started: runs, failures,
 * rows, total run time (counters) and the longest run of the last interval.
 * Figures come from the running agent (monitor/probe-run-stats.ts).
 * Object = probe name.
 */
import { counter, gauge, text, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

/** The `probe_stats` probe. */
export const probeStatsProbe: Probe = {
  name: 'probe_stats',
  level: 'agent',
  runsOn: 'both',
  intervalS: 60,
  timeoutMs: 2000,
  description: "The agent's probe runs: runs, failures, rows, run time per probe",
  objectColumn: 'probe',
  columns: [
    text('probe'),
    counter('runs'),
    counter('failures'),
    counter('rows', 'rows'),
    counter('run_time_ms', 'ms', 'double'),
    gauge('max_run_time_ms', 'double', 'ms'),
    timestamp('last_failure_at'),
    text('last_error'),
  ],
  collector: (ctx) => async () => ctx.probeStats?.() ?? [],
};
