/**
 * The agent's heartbeat: `pem.agent_heartbeat(agent id, version, dropped
 * samples)` every `probe_interval_s` on the control connection, then the
 * queued probe failures are written to `pem.probe_log`. A failed heartbeat is
 * logged and tried again at the next tick.
 */
import { messageOf } from '@pharos/core/errors';
import type { Logger } from '@pharos/core/log';
import type { Queryable } from '@pharos/core/query';

/** Options of {@link Heartbeat}. */
export interface HeartbeatOptions {
  agentId: number;
  /** The agent's version, as the backend records it. */
  version: string;
  /** The agent's control connection. */
  conn: Queryable;
  /** Cumulative samples the spool dropped (it was full). */
  droppedSamples: () => number;
  /** Writes the queued probe failures (BackendLink.flushProbeLog). */
  flushProbeLog: () => Promise<unknown>;
  logger: Logger;
}

/** See the module note. */
export class Heartbeat {
  /** When the backend last took a heartbeat, null before the first. */
  lastAt: Date | null = null;
  private readonly opts: HeartbeatOptions;

  constructor(opts: HeartbeatOptions) {
    this.opts = opts;
  }

  /** Sends one heartbeat, then flushes the probe log. Never throws for a failed heartbeat. */
  async beat(): Promise<void> {
    const { conn, agentId, version, logger } = this.opts;
    try {
      await conn.query('SELECT pem.agent_heartbeat($1, $2, $3)', [
        agentId,
        version,
        this.opts.droppedSamples(),
      ]);
      this.lastAt = new Date();
    } catch (err) {
      logger.warn({ err: messageOf(err) }, 'heartbeat failed');
    }
    await this.opts.flushProbeLog();
  }
}
