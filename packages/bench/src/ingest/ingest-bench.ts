/**
 * The ingest benchmark (issue 9): samples per second the backend stores from
 * N concurrent simulated agents through the real ship path
 * (packages/agent/src/ship/ship-batch.ts `shipBatch`: one statement,
 * `pem.ingest_samples` with the batch as array parameters, in its own
 * transaction — batch id recorded, history appended, latest values
 * upserted), side by side with a plain COPY of the same rows, in the
 * same batches and with the same concurrency, straight into
 * `pemhistory.sample`. The ratio (ship path / plain COPY) is the figure.
 *
 * Backend: a throw-away PostgreSQL (core/testing/postgres-server.ts) on
 * 127.0.15.50 with durable settings (fsync, synchronous_commit and
 * full_page_writes on; the test server's defaults turn them off), the real
 * migrations, daily history partitions, and one registered agent (role in
 * pem_agent, row in pem.agent) per simulated agent. Runs alternate between
 * the two methods; the tables are emptied and checkpointed before each run.
 */

import { loadavg } from 'node:os';
import { copyTextRow } from '@pharos/agent/ship/copy-text';
import { shipBatch } from '@pharos/agent/ship/ship-batch';
import type { Batch } from '@pharos/agent/spool/spool';
import { migrate } from '@pharos/backend/migrations/run';
import { HaConnection } from '@pharos/core/ha/connection';
import { startPostgres } from '@pharos/testkit/postgres/postgres-server';
import { type Summary, summarize } from '../stats.js';
import { createBenchAgents } from './bench-agents.js';
import { ownCpuS, serverCpuS } from './cpu-time.js';
import { makeBatches, withFreshIds } from './rows.js';

/** Options of {@link runIngestBench}. */
export interface IngestBenchOptions {
  address: string;
  agents: number;
  batchesPerAgent: number;
  batchSize: number;
  runs: number;
  log: (line: string) => void;
}

/** What {@link runIngestBench} measured: samples per second per method, and ship/COPY ratios per run pair. */
export interface IngestFigures {
  agents: number;
  batchesPerAgent: number;
  batchSize: number;
  samplesPerRun: number;
  postgresVersion: string;
  settings: Record<string, string>;
  shipPath: Summary;
  plainCopy: Summary;
  /** shipPath / plainCopy of each run pair. */
  ratio: Summary;
  /**
   * CPU milliseconds per 1000 stored samples, of the PostgreSQL server's
   * processes and of the benchmark process (the agents' side: encoding,
   * the driver), per method: what each method costs, far less dependent on
   * what else runs on a shared machine than samples/s (ingest/cpu-time.ts).
   */
  cpuMsPer1000: { shipServer: Summary; shipClient: Summary; copyServer: Summary; copyClient: Summary };
  /** plain COPY's CPU (server + client) / the ship path's, per run pair: the throughput ratio CPU-bound on an otherwise idle machine. */
  cpuRatio: Summary;
}

const SETTINGS = {
  fsync: 'on',
  synchronous_commit: 'on',
  full_page_writes: 'on',
  shared_buffers: '128MB',
  max_wal_size: '2GB',
  max_connections: '100',
};

const COPY_HISTORY_SQL =
  'COPY pemhistory.sample (agent_id, sample_id, server_id, probe, object, collected_at, value) FROM STDIN';

async function shipRun(conns: HaConnection[], work: Batch[][]): Promise<number> {
  const started = performance.now();
  await Promise.all(
    conns.map(async (c, i) => {
      for (const b of work[i]!) {
        const r = await shipBatch(c, i + 1, b, 120_000);
        if (!r.stored) throw new Error(`batch ${b.batchId} of agent ${i + 1} was taken for a repeat`);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

async function copyRun(conns: HaConnection[], work: Batch[][]): Promise<number> {
  const started = performance.now();
  await Promise.all(
    conns.map(async (c, i) => {
      for (const b of work[i]!) {
        const text = b.samples.map((s) => `${i + 1}\t${copyTextRow(s)}`).join('');
        await c.transaction((tx) => tx.copyFrom(COPY_HISTORY_SQL, text), { deadlineMs: 120_000 });
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

/** Starts the backend, measures (module note), stops it. Throws when a run stores the wrong number of rows. */
export async function runIngestBench(opts: IngestBenchOptions): Promise<IngestFigures> {
  const { log } = opts;
  const pg = await startPostgres({ address: opts.address, settings: SETTINGS });
  const conns: HaConnection[] = [];
  try {
    await pg.psql('CREATE DATABASE pem');
    const admin = new HaConnection({ conninfo: pg.conninfo('postgres', 'pem'), queryTimeoutMs: 300_000 });
    conns.push(admin);
    await migrate((fn) => admin.transaction(fn));
    await admin.query('SELECT pem.ensure_history_partitions(2)');
    const version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v"))
      .rows[0]!.v;
    await createBenchAgents(admin, opts.agents);
    const base = `host=${opts.address} port=${pg.port} dbname=pem sslmode=disable`;
    const agentConns = Array.from(
      { length: opts.agents },
      (_, i) =>
        new HaConnection({
          conninfo: `${base} user=agent${i + 1} password=bench${i + 1}`,
          queryTimeoutMs: 120_000,
        }),
    );
    const copyConns = Array.from(
      { length: opts.agents },
      () => new HaConnection({ conninfo: pg.conninfo('postgres', 'pem'), queryTimeoutMs: 120_000 }),
    );
    conns.push(...agentConns, ...copyConns);
    const startMs = Date.now();
    const work = Array.from({ length: opts.agents }, (_, i) =>
      makeBatches(opts.batchesPerAgent, opts.batchSize, 1 + i * 10_000_000, startMs),
    );
    const perRun = opts.agents * opts.batchesPerAgent * opts.batchSize;
    const reset = async () => {
      await admin.query('TRUNCATE pemhistory.sample, pemdata.latest, pem.ship_batch');
      await admin.query('CHECKPOINT');
    };
    const stored = async () =>
      Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM pemhistory.sample')).rows[0]!.n);
    // Warm-up: one batch per agent through each path (connections, plans, caches).
    await reset();
    await shipRun(
      agentConns,
      work.map((w) => withFreshIds(w.slice(0, 1))),
    );
    await reset();
    await copyRun(
      copyConns,
      work.map((w) => w.slice(0, 1)),
    );
    const ship: number[] = [];
    const copy: number[] = [];
    const ratio: number[] = [];
    const cpu = {
      shipServer: [] as number[],
      shipClient: [] as number[],
      copyServer: [] as number[],
      copyClient: [] as number[],
    };
    const cpuRatio: number[] = [];
    /** Runs `run`, returns its wall seconds and the server's and this process's CPU ms per 1000 samples. */
    const measured = async (run: () => Promise<number>) => {
      const server0 = serverCpuS(pg.pid);
      const client0 = ownCpuS();
      const wallS = await run();
      const per1000 = (s: number) => (s * 1000 * 1000) / perRun;
      return { wallS, server: per1000(serverCpuS(pg.pid) - server0), client: per1000(ownCpuS() - client0) };
    };
    for (let r = 0; r < opts.runs; r++) {
      await reset();
      const s = await measured(() =>
        shipRun(
          agentConns,
          work.map((w) => withFreshIds(w)),
        ),
      );
      if ((await stored()) !== perRun) throw new Error('ship path stored a wrong number of samples');
      await reset();
      const c = await measured(() => copyRun(copyConns, work));
      if ((await stored()) !== perRun) throw new Error('plain COPY stored a wrong number of samples');
      ship.push(perRun / s.wallS);
      copy.push(perRun / c.wallS);
      ratio.push(perRun / s.wallS / (perRun / c.wallS));
      cpu.shipServer.push(s.server);
      cpu.shipClient.push(s.client);
      cpu.copyServer.push(c.server);
      cpu.copyClient.push(c.client);
      cpuRatio.push((c.server + c.client) / (s.server + s.client));
      log(
        `ingest run ${r + 1}/${opts.runs}: ship path ${(perRun / s.wallS).toFixed(0)} samples/s, plain COPY ${(perRun / c.wallS).toFixed(0)} samples/s; CPU ms per 1000 samples (server + client): ship ${s.server.toFixed(1)} + ${s.client.toFixed(1)}, COPY ${c.server.toFixed(1)} + ${c.client.toFixed(1)}; load ${loadavg()[0]!.toFixed(1)}`,
      );
    }
    return {
      agents: opts.agents,
      batchesPerAgent: opts.batchesPerAgent,
      batchSize: opts.batchSize,
      samplesPerRun: perRun,
      postgresVersion: version,
      settings: SETTINGS,
      shipPath: summarize(ship, 'samples/s'),
      plainCopy: summarize(copy, 'samples/s'),
      ratio: summarize(ratio, ''),
      cpuMsPer1000: {
        shipServer: summarize(cpu.shipServer, 'ms'),
        shipClient: summarize(cpu.shipClient, 'ms'),
        copyServer: summarize(cpu.copyServer, 'ms'),
        copyClient: summarize(cpu.copyClient, 'ms'),
      },
      cpuRatio: summarize(cpuRatio, ''),
    };
  } finally {
    for (const c of conns) await c.close();
    await pg.stop();
  }
}
