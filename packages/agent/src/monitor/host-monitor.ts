/**
 * Monitoring of the agent's own host: the agent-level probes (OS collectors
 * reading /proc and statfs, and the agent's own status) on their own
 * schedule, separate from every server's, so no server can delay them.
 * Every tick the probes that are due (schedule/due.ts; settings of server 0
 * from monitor/probe-settings.ts) run concurrently, each bounded by its
 * timeout; a failure goes to the probe log and never stops the others.
 */
import { messageOf } from '@pharos/core/errors';
import type { Logger } from '@pharos/core/log';
import { AGENT_PROBES } from '../probes/catalog.js';
import { rowsToSamples } from '../probes/to-samples.js';
import type { Collector, CollectorContext, Probe } from '../probes/types.js';
import type { NewSample } from '../sample.js';
import { DueTracker } from '../schedule/due.js';
import { startTicker, type Ticker } from '../schedule/ticker.js';
import { definitionDefaults, type SettingsLookup } from './probe-settings.js';
import { codeOf, type MonitorSink } from './sink.js';

/** Options of {@link HostMonitor}. */
export interface HostMonitorOptions {
  /** Tick, ms (the agent's `probe_interval_s`). */
  intervalMs: number;
  sink: MonitorSink;
  logger: Logger;
  context: CollectorContext;
  probes?: readonly Probe[];
  /** Intervals and enablement (default: the probe definitions'). */
  settings?: SettingsLookup;
}

/** Runs the agent-level probes (server id 0). */
export class HostMonitor {
  private readonly opts: HostMonitorOptions;
  private readonly collectors: { probe: Probe; collect: Collector }[];
  private readonly due: DueTracker;
  private readonly settings: SettingsLookup;
  private ticker: Ticker | undefined;

  constructor(opts: HostMonitorOptions) {
    this.opts = opts;
    this.due = new DueTracker(opts.intervalMs);
    this.settings = opts.settings ?? definitionDefaults();
    this.collectors = (opts.probes ?? AGENT_PROBES).map((probe) => ({
      probe,
      collect: probe.collector!(opts.context),
    }));
  }

  /** Starts the schedule (first run at once). */
  start(): void {
    this.ticker = startTicker(this.opts.intervalMs, () => this.cycle(), {
      onOverrun: (skipped) => this.opts.logger.warn({ skipped }, 'host probe cycle outlasted its interval'),
      onError: (err) => this.opts.logger.error({ err: messageOf(err) }, 'host probe cycle failed'),
    });
  }

  /** Stops the schedule; resolves when the run in progress has finished. */
  async stop(): Promise<void> {
    await this.ticker?.stop();
  }

  /** One tick: every due agent probe once; their samples are appended together. */
  async cycle(): Promise<void> {
    const now = Date.now();
    const samples: NewSample[] = [];
    const due = this.collectors.filter(({ probe }) => {
      const s = this.settings(probe, 0);
      return s.enabled && this.due.isDue(probe.name, s.intervalS * 1000, now);
    });
    await Promise.all(
      due.map(async ({ probe, collect }) => {
        this.due.ran(probe.name, now);
        const collectedAt = new Date();
        const t0 = performance.now();
        try {
          const rows = await withTimeout(collect(), probe.timeoutMs, probe.name);
          samples.push(...rowsToSamples(probe, rows, 0, collectedAt));
          this.opts.sink.probeRan?.(probe.name, performance.now() - t0, rows.length);
        } catch (err) {
          const error = messageOf(err);
          this.opts.sink.probeFailed({
            serverId: 0,
            probe: probe.name,
            object: '',
            error,
            code: codeOf(err),
            failedAt: collectedAt.toISOString(),
          });
          this.opts.sink.probeRan?.(probe.name, performance.now() - t0, 0, error);
          this.opts.logger.warn({ probe: probe.name, serverId: 0, err: error }, 'probe failed');
        }
      }),
    );
    await this.opts.sink.record(samples);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`probe ${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
