/**
 * A process of simulated agents (forked by fleet-sim-bench.ts, told what to
 * do over the IPC channel): each simulated agent is an enrolled agent (its
 * agent.yml, certificate and key from `pharos agent enrol`) running the
 * agent's own backend path with a replay of the recording (recording.ts) in
 * place of its monitors:
 *
 * - the agent's Spool (spool/spool.ts, in its spool_dir) and Shipper
 *   (ship/shipper.ts: batches of 1000 through `pem.ingest_samples`, exactly
 *   once, on its `ship` connection, backend-link/connections.ts);
 * - its heartbeat every probe_interval_s (backend-link/heartbeat.ts) and the
 *   backend's jobs every minute (BackendLink.runJobs), on its `control`
 *   connection, as run.ts wires them;
 * - its bindings (`pem.agent_bindings`) read every short_wait_s: each bound
 *   server replays the stream of a recorded server of its kind (server id
 *   mod 3: standalone, patroni-leader, patroni-replica) at a random phase;
 *   the agent's host (server 0) replays a recorded `host` source;
 * - for the agent told to (`alertAgentId`), the agent's alert worker
 *   (workers/alert-worker.ts: pem.alert_worker_settings, then the
 *   AlertEvaluator and the NotificationDispatcher), as on a backend host.
 *
 * Every second each agent appends the samples due since the last second to
 * its spool in one append (a real agent appends each probe run apart; the
 * backend sees the same batches). Messages: in `{type: 'start', ...}` and
 * `{type: 'stop'}`; out `{type: 'ready'}`, `{type: 'stats', ...}` every
 * `statsEveryMs`, `{type: 'stopped'}`, `{type: 'error', message}`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BackendLink } from '@pharos/agent/backend-link/backend-link';
import { backendConnections } from '@pharos/agent/backend-link/connections';
import { Heartbeat } from '@pharos/agent/backend-link/heartbeat';
import { loadAgentConfig } from '@pharos/agent/config';
import { ALL_PROBES } from '@pharos/agent/probes/catalog';
import { AGENT_VERSION } from '@pharos/agent/run';
import type { NewSample } from '@pharos/agent/sample';
import { Shipper } from '@pharos/agent/ship/shipper';
import { Spool } from '@pharos/agent/spool/spool';
import { type AlertWorkerHandle, startAlertWorker } from '@pharos/agent/workers/alert-worker';
import { messageOf } from '@pharos/core/errors';
import { createLogger } from '@pharos/core/log';
import { loadRecording, Replay, type Stream } from './recording.js';

/** The start message. */
export interface SimStart {
  type: 'start';
  agents: { id: number; config: string; hostSource: string }[];
  /** Recorded source per server kind, in the order servers take them (server id mod length). */
  serverSources: string[];
  /** The agent that runs the alert worker (pem.agent_alert_settings says it evaluates), if here. */
  alertAgentId?: number;
  statsEveryMs: number;
  logDir: string;
}

/** The stats message: totals of this process's agents. */
export interface SimStats {
  type: 'stats';
  atMs: number;
  agents: number;
  servers: number;
  appendedSamples: number;
  shippedSamples: number;
  shippedBatches: number;
  shipErrors: number;
  /** Durable samples not yet acknowledged, all agents. */
  spooledSamples: number;
  /** Per agent, the age of its oldest unacknowledged sample, s (0: none). */
  oldestSpooledAgeS: number[];
  /** Upload latency of each agent's last batch, ms, the largest. */
  maxLastUploadMs: number;
  heartbeatsFailed: number;
  /** Ticks whose append had not finished when the next came (the simulator falling behind). */
  skippedTicks: number;
  alerts?: { evaluating: boolean; evaluated: number; delivered: number; lastError: string | null };
}

function send(m: unknown): void {
  process.send?.(m);
}

async function run(start: SimStart): Promise<() => Promise<void>> {
  mkdirSync(start.logDir, { recursive: true });
  const logger = createLogger('sim-agent', {
    level: 'warn',
    destination: join(start.logDir, 'sim-agents.log'),
  });
  const rec = loadRecording();
  const stream = (source: string): Stream => {
    const s = rec.streams.get(source);
    if (!s) throw new Error(`the recording has no source '${source}'`);
    return s;
  };
  const serverStreams = start.serverSources.map(stream);
  const totals = { appended: 0, skipped: 0, heartbeatsFailed: 0 };
  const timers: NodeJS.Timeout[] = [];
  const agents = await Promise.all(
    start.agents.map(async (a) => {
      const config = loadAgentConfig(a.config);
      const log = logger.child({ agentId: config.agent_id });
      const spool = await Spool.open({
        dir: config.spool_dir,
        maxBytes: config.spool_max_bytes,
        retainAckedMs: config.spool_retain_acked_s * 1000,
        logger: log,
      });
      const conns = backendConnections(config, log);
      const shipper = new Shipper({
        agentId: config.agent_id,
        spool,
        conn: conns.ship,
        logger: log.child({ component: 'ship' }),
        longWaitMs: config.long_wait_s * 1000,
      });
      const link = new BackendLink({
        agentId: config.agent_id,
        conn: conns.control,
        probes: ALL_PROBES,
        logger: log,
      });
      const heartbeat = new Heartbeat({
        agentId: config.agent_id,
        version: AGENT_VERSION,
        conn: conns.control,
        droppedSamples: () => spool.droppedSamples,
        flushProbeLog: () => link.flushProbeLog(),
        logger: log,
      });
      const replays = new Map<number, Replay>();
      replays.set(
        0,
        new Replay(stream(a.hostSource), 0, Math.random() * stream(a.hostSource).loopS, Date.now()),
      );
      const readBindings = async () => {
        try {
          const rows = (
            await conns.control.query<{ server_id: number }>('SELECT server_id FROM pem.agent_bindings($1)', [
              config.agent_id,
            ])
          ).rows;
          const ids = new Set(rows.map((r) => r.server_id));
          for (const id of replays.keys()) if (id !== 0 && !ids.has(id)) replays.delete(id);
          for (const id of ids)
            if (!replays.has(id)) {
              const s = serverStreams[id % serverStreams.length]!;
              replays.set(id, new Replay(s, id, Math.random() * s.loopS, Date.now()));
            }
        } catch (err) {
          log.warn({ err: messageOf(err) }, 'bindings read failed');
        }
      };
      await readBindings();
      let appending = false;
      const tick = () => {
        if (appending) {
          totals.skipped++;
          return;
        }
        const out: NewSample[] = [];
        const now = Date.now();
        for (const r of replays.values()) r.due(now, out);
        if (out.length === 0) return;
        appending = true;
        spool
          .append(out)
          .then(() => {
            totals.appended += out.length;
          })
          .catch((err) => log.error({ err: messageOf(err) }, 'cannot append samples to the spool'))
          .finally(() => {
            appending = false;
          });
      };
      shipper.start();
      timers.push(
        setInterval(tick, 1000),
        setInterval(() => void readBindings(), config.short_wait_s * 1000),
        setInterval(() => {
          const before = heartbeat.lastAt;
          void heartbeat.beat().then(() => {
            if (heartbeat.lastAt === before) totals.heartbeatsFailed++;
          });
        }, config.probe_interval_s * 1000),
        setInterval(() => void link.runJobs(), 60_000),
      );
      void heartbeat.beat();
      let alerting: AlertWorkerHandle | undefined;
      if (a.id === start.alertAgentId)
        alerting = startAlertWorker({
          config,
          logger: log.child({ component: 'alerting' }),
          version: AGENT_VERSION,
          control: conns.control,
        });
      return { id: a.id, spool, shipper, conns, replays, alerting };
    }),
  );
  const stats = async (): Promise<SimStats> => {
    const s: SimStats = {
      type: 'stats',
      atMs: Date.now(),
      agents: agents.length,
      servers: agents.reduce((n, a) => n + a.replays.size - 1, 0),
      appendedSamples: totals.appended,
      shippedSamples: 0,
      shippedBatches: 0,
      shipErrors: 0,
      spooledSamples: 0,
      oldestSpooledAgeS: [],
      maxLastUploadMs: 0,
      heartbeatsFailed: totals.heartbeatsFailed,
      skippedTicks: totals.skipped,
    };
    for (const a of agents) {
      const sp = await a.spool.stats();
      s.spooledSamples += sp.samples;
      s.oldestSpooledAgeS.push(
        sp.oldestCollectedAt ? Math.round(Date.now() - Date.parse(sp.oldestCollectedAt)) / 1000 : 0,
      );
      s.shippedSamples += a.shipper.stats.shippedSamples;
      s.shippedBatches += a.shipper.stats.shippedBatches;
      s.shipErrors += a.shipper.stats.shipErrors;
      s.maxLastUploadMs = Math.max(s.maxLastUploadMs, a.shipper.stats.lastUploadLatencyMs ?? 0);
      if (a.alerting) s.alerts = a.alerting.status();
    }
    return s;
  };
  timers.push(
    setInterval(() => {
      void stats().then(send, (err) => send({ type: 'error', message: messageOf(err) }));
    }, start.statsEveryMs),
  );
  return async () => {
    for (const t of timers) clearInterval(t);
    send(await stats());
    await Promise.all(
      agents.map(async (a) => {
        await a.alerting?.stop();
        await a.shipper.stop();
        await Promise.all([a.conns.ship.close(), a.conns.control.close()]);
        await a.spool.close();
      }),
    );
    logger.flush?.();
  };
}

let stop: (() => Promise<void>) | undefined;
let stopping: Promise<void> | undefined;
const stopOnce = () => (stopping ??= (stop ?? (async () => {}))());
process.on('message', (m: SimStart | { type: 'stop' }) => {
  if (m.type === 'start')
    run(m).then(
      (s) => {
        stop = s;
        send({ type: 'ready' });
      },
      (err) => {
        send({ type: 'error', message: messageOf(err) });
        process.exit(1);
      },
    );
  else if (m.type === 'stop')
    void stopOnce().finally(() => {
      send({ type: 'stopped' });
      process.disconnect?.();
      process.exit(0);
    });
});
// the parent gone (it crashed or was killed): stop too
process.on('disconnect', () => {
  void stopOnce().finally(() => process.exit(0));
});
