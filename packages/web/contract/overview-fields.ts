/**
 * What the overview (GET /api/fleet) carries of each server's and agent's
 * latest probe values: the probes it reads and, of each, the columns it keeps
 * (a projection, so 600 servers stay a small answer). Each name is a declared
 * column of the probe (probe-columns.ts): a renamed column fails the type
 * check here, in the web API that projects it and in the UI that shows it.
 */
import type { ProbeValues } from './probe-columns.js';

/** Probe -> the columns the overview keeps. */
export const OVERVIEW_FIELDS = {
  cpu: ['busy_pct', 'idle_pct'],
  load_avg: ['load1', 'load5', 'load15'],
  memory: ['total_bytes', 'available_bytes', 'used_bytes'],
  server_up: ['up', 'error'],
  server_info: ['role', 'in_recovery', 'server_version', 'started_at', 'timeline'],
  connections_by_state: ['state', 'connections'],
  database_stats: ['xact_commit', 'blks_hit', 'blks_read', 'hit_ratio_pct'],
  replication_lag: ['lag_bytes', 'replay_lag_s', 'broken'],
} as const satisfies { readonly [P in keyof ProbeValues]?: readonly (keyof ProbeValues[P])[] };

/** A probe the overview reads. */
export type OverviewProbe = keyof typeof OVERVIEW_FIELDS;

/**
 * The overview's value of probe `P`: its kept columns, each absent when the
 * probe read NULL (the API strips nulls).
 */
export type OverviewValue<P extends OverviewProbe> = {
  [K in (typeof OVERVIEW_FIELDS)[P][number] & keyof ProbeValues[P]]?: Exclude<ProbeValues[P][K], null>;
};
