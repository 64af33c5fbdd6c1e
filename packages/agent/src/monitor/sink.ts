/**
 * Where monitors put what they measure: samples go to the spool, failures to
 * the probe log (shipped to `pem.probe_log`), run figures to `probe_stats`.
 */
import type { NewSample } from '../sample.js';

/** One failed probe run, as the probe log records it. */
export interface ProbeFailure {
  /** Monitored server id; 0 = the agent's own host. */
  serverId: number;
  probe: string;
  /** The object the run was about ('' for the whole server; a database name for database probes). */
  object: string;
  error: string;
  /** SQLSTATE or Node error code, when there is one. */
  code?: string;
  /** When the run started, ISO 8601. */
  failedAt: string;
}

/** Where a monitor's samples and failures go. */
export interface MonitorSink {
  /** Appends samples to the spool; resolves when they are durable. */
  record(samples: NewSample[]): Promise<void>;
  /** Reports one failed probe run (probe log, agent_status counter). */
  probeFailed(failure: ProbeFailure): void;
  /** Reports every run (duration, rows, error) for `probe_stats`. */
  probeRan?(probe: string, runTimeMs: number, rows: number, error?: string): void;
}

/** The SQLSTATE or Node error code of a thrown value, if any. */
export function codeOf(err: unknown): string | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}
