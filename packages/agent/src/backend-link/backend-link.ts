/**
 * The agent's probe-related exchanges with the backend, over its control
 * connection (the one that also reads bindings and sends heartbeats):
 * - the catalog is compared once with the backend's (`pem.agent_sync_probes`,
 *   which writes nothing: the catalogue ships with the backend's release),
 *   retried every short wait until it succeeds;
 * - the probe settings are read every short wait (`pem.agent_probe_config`)
 *   into the shared {@link ProbeSettings}: a change applies within one short
 *   wait; when they cannot be read the settings in use stay;
 * - the custom probes of the bound servers are read with them
 *   (`pem.agent_custom_probes`, backend-link/custom-probe-set.ts);
 * - probe failures queued by the monitors are written to `pem.probe_log` on
 *   every heartbeat;
 * - the history jobs (`pem.agent_run_jobs`: partitions, retention; they run
 *   on the primary only, once) are called every minute.
 * A backend without migration 004 makes these calls fail: the agent then
 * runs on its probe definitions' defaults and logs the reason once.
 */

import { runAgentJobs } from '@pharos/backend/jobs/run-jobs';
import { messageOf } from '@pharos/core/errors';
import type { Logger } from '@pharos/core/log';
import type { Queryable } from '@pharos/core/query';
import { ProbeSettings } from '../monitor/probe-settings.js';
import type { ProbeFailure } from '../monitor/sink.js';
import type { Probe } from '../probes/types.js';
import { checkCatalog, ProbeLogQueue, readProbeConfig } from './backend-sync.js';
import { CustomProbeSet } from './custom-probe-set.js';

/** Options of {@link BackendLink}. */
export interface BackendLinkOptions {
  agentId: number;
  conn: Queryable;
  probes: readonly Probe[];
  logger: Logger;
}

/** See the module note. */
export class BackendLink {
  readonly settings = new ProbeSettings();
  readonly probeLog = new ProbeLogQueue();
  /** The custom probes of each bound server (read with the settings). */
  readonly customProbes = new CustomProbeSet();
  private readonly opts: BackendLinkOptions;
  private synced = false;
  private warned = new Set<string>();

  constructor(opts: BackendLinkOptions) {
    this.opts = opts;
  }

  /** Queues a probe failure for the probe log. */
  failed(f: ProbeFailure): void {
    this.probeLog.push(f);
  }

  private warnOnce(what: string, err: unknown): void {
    const key = `${what}: ${messageOf(err)}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.opts.logger.warn({ err: messageOf(err) }, what);
  }

  /** Compares the catalog with the backend's if not done yet, then reads the settings. Never throws. */
  async refresh(): Promise<void> {
    if (!this.synced) {
      try {
        const unknown = await checkCatalog(this.opts.conn, this.opts.agentId, this.opts.probes);
        this.synced = true;
        if (unknown > 0)
          this.opts.logger.warn(
            { unknown, probes: this.opts.probes.length },
            "probes unknown to the backend's catalogue (the backend is older than this agent): they run on their built-in defaults",
          );
        else
          this.opts.logger.info({ probes: this.opts.probes.length }, "probe catalog matches the backend's");
      } catch (err) {
        this.warnOnce("cannot compare the probe catalog with the backend's; retrying every short wait", err);
        return;
      }
    }
    try {
      this.settings.update(await readProbeConfig(this.opts.conn, this.opts.agentId));
    } catch (err) {
      this.warnOnce('cannot read probe settings; keeping the ones in use', err);
    }
    try {
      const before = this.customProbes.names.join(',');
      await this.customProbes.read(this.opts.conn, this.opts.agentId);
      const after = this.customProbes.names.join(',');
      if (after !== before)
        this.opts.logger.info({ customProbes: this.customProbes.names }, 'custom probes in use');
    } catch (err) {
      this.warnOnce('cannot read the custom probes; keeping the ones in use', err);
    }
  }

  /** Writes queued probe failures. Never throws (they stay queued). */
  async flushProbeLog(): Promise<void> {
    if (this.probeLog.length === 0) return;
    try {
      await this.probeLog.flush(this.opts.conn, this.opts.agentId);
    } catch (err) {
      this.warnOnce('cannot write the probe log; failures stay queued', err);
    }
  }

  /** Runs the backend's due history jobs. Never throws. */
  async runJobs(): Promise<void> {
    try {
      for (const r of await runAgentJobs(this.opts.conn, this.opts.agentId)) {
        if (r.status === 'failed') this.opts.logger.warn({ job: r.job, err: r.detail }, 'backend job failed');
        else if (r.status === 'ok')
          this.opts.logger.info({ job: r.job, detail: r.detail }, 'backend job ran');
      }
    } catch (err) {
      this.warnOnce('cannot run the backend jobs', err);
    }
  }
}
