/**
 * Monitoring of the agent's own host: the agent-level probes (OS collectors
 * reading /proc, and the agent's own status) on their own schedule, separate
 * from every server's, so no server can delay them. Each collector run is
 * bounded by its probe's timeout; a failure is logged and counted.
 */
import { messageOf } from '@pharos/core/errors';
import type { Logger } from '@pharos/core/log';
import { AGENT_PROBES } from '../probes/catalog.js';
import { rowsToSamples } from '../probes/to-samples.js';
import type { Collector, CollectorContext, Probe } from '../probes/types.js';
import type { NewSample } from '../sample.js';
import type { MonitorSink } from './server-monitor.js';
import { startTicker, type Ticker } from './ticker.js';

/** Options of {@link HostMonitor}. */
export interface HostMonitorOptions {
  intervalMs: number;
  sink: MonitorSink;
  logger: Logger;
  context: CollectorContext;
  probes?: readonly Probe[];
}

/** Runs the agent-level probes every interval (server id 0). */
export class HostMonitor {
  private readonly opts: HostMonitorOptions;
  private readonly collectors: { probe: Probe; collect: Collector }[];
  private ticker: Ticker | undefined;

  constructor(opts: HostMonitorOptions) {
    this.opts = opts;
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

  /** One run of every agent probe; their samples are appended together. */
  async cycle(): Promise<void> {
    const samples: NewSample[] = [];
    await Promise.all(
      this.collectors.map(async ({ probe, collect }) => {
        const collectedAt = new Date();
        try {
          const rows = await withTimeout(collect(), probe.timeoutMs, probe.name);
          samples.push(...rowsToSamples(probe, rows, 0, collectedAt));
        } catch (err) {
          this.opts.sink.probeFailed();
          this.opts.logger.warn({ probe: probe.name, serverId: 0, err: messageOf(err) }, 'probe failed');
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
