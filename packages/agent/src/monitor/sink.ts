/**
 * Where monitors put what they measure: samples go to the spool, failures to
 * the probe log (shipped to `pem.probe_log`), run figures to `probe_stats`.
 */
import { messageOf } from '@pharos/core/errors';
import type { Logger } from '@pharos/core/log';
import type { NewSample, Sample } from '../sample.js';

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

/**
 * The agent's sink: samples appended to the spool (an append that fails is
 * logged, the monitor goes on), failures counted and queued for the probe log,
 * runs counted for `probe_stats`.
 */
export class SpoolSink implements MonitorSink {
  /** Failed probe runs so far (agent_status `probe_errors`). */
  probeErrors = 0;

  constructor(
    private readonly to: {
      spool: { append(samples: NewSample[]): Promise<Sample[]> };
      probeLog: { failed(f: ProbeFailure): void };
      runStats: { record(probe: string, runTimeMs: number, rows: number, error?: string): void };
      logger: Logger;
    },
  ) {}

  async record(samples: NewSample[]): Promise<void> {
    if (samples.length === 0) return;
    try {
      await this.to.spool.append(samples);
    } catch (err) {
      this.to.logger.error(
        { err: messageOf(err), samples: samples.length },
        'cannot append samples to the spool',
      );
    }
  }

  probeFailed(failure: ProbeFailure): void {
    this.probeErrors++;
    this.to.probeLog.failed(failure);
  }

  probeRan(probe: string, runTimeMs: number, rows: number, error?: string): void {
    this.to.runStats.record(probe, runTimeMs, rows, error);
  }
}
