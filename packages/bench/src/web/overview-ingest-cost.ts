/**
 * Benchmark: what keeping the overview rows (pemdata.server_overview and
 * agent_overview, migration 020) costs ingest (issue 19). The same ship
 * batches go through pem.ingest_batch with the overview triggers on
 * pemdata.latest enabled and disabled, alternately, and the time per batch is
 * compared.
 *
 * Setup, all on this machine: a throw-away backend (startPostgres, TLS, the
 * real migrations), `servers` servers (default 300) each with its own agent.
 * A batch is one server's recorded lab samples (recorded/replay-latest.ts:
 * the two newest samples of every probe and object of a recorded server,
 * about 1,300, and its agent's host samples), shipped by its agent's
 * database user as the agent ships them (temp table, pem.ingest_batch), so
 * pemdata.latest holds real-shaped values and a batch touches every overview
 * probe. The first pass inserts the rows; every timed pass moves them
 * forward (updates), as ingest does in steady state. Passes alternate
 * between triggers on and off (`runs` of each, default 3); the figure is
 * milliseconds per batch, and the ratio on/off of each pair.
 *
 * Run: `node packages/bench/dist/web/overview-ingest-cost.js [--servers 300] [--runs 3]`
 * (prints the figures as JSON). Addresses 127.0.18.1 (backend), 127.0.18.3 (harness).
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { HaConnection } from '@pharos/core/ha/connection';
import { startTestBackend } from '@pharos/web/testing/backend-fixture';
import { readRecording, replayLatest } from '../recorded/replay-latest.js';

/** What {@link runOverviewIngestCost} measured. */
export interface OverviewIngestCost {
  servers: number;
  samplesPerPass: number;
  /** Milliseconds per batch of each pass, triggers on and off. */
  msPerBatch: { on: number[]; off: number[] };
  /** on / off of each pair of passes. */
  ratio: number[];
  /**
   * What the triggers add to one batch, measured alone: milliseconds per call of
   * pem.overview_refresh(agent, [0, its server]) over every server, in one DO block (3 rounds).
   */
  refreshMsPerBatch: number[];
  loadAverage: { start: number; end: number };
}

const TRIGGERS = ['overview_latest_inserted', 'overview_latest_updated', 'overview_latest_deleted'];

/**
 * Builds the backend and the fleet, times the passes, stops the backend.
 * @throws the setup's errors and any failed batch.
 */
export async function runOverviewIngestCost(opts: { servers?: number; runs?: number } = {}) {
  const servers = opts.servers ?? 300;
  const runs = opts.runs ?? 3;
  const ad = { backend: '127.0.18.1', harness: '127.0.18.3' };
  const backend = await startTestBackend({
    primaryAddress: ad.backend,
    clientAddresses: [ad.harness],
    harnessAddress: ad.harness,
  });
  const conn = () =>
    new HaConnection({
      conninfo: `host=${ad.backend} dbname=pem user=pemagent password=agent-pw sslmode=verify-full sslrootcert=${backend.pki.caCert}`,
      sourceAddress: ad.harness,
      queryTimeoutMs: 600_000,
    });
  const dbs = [conn(), conn()];
  try {
    const loadStart = loadavg()[0]!;
    await backend.psql(`
      DELETE FROM pem.server_binding; DELETE FROM pem.server; DELETE FROM pem.agent; DELETE FROM pemdata.latest;
      CREATE ROLE pemagent LOGIN PASSWORD 'agent-pw' IN ROLE pem_agent;
      INSERT INTO pem.agent (id, user_name, display_name, host_address, last_heartbeat, agent_version)
        SELECT i, 'pemagent', 'host-' || i, ('10.1.' || (i / 250) || '.' || (i % 250 + 1))::inet, now(), '0.1.0'
          FROM generate_series(1, ${servers}) AS i;
      INSERT INTO pem.server (id, display_name, host, port)
        SELECT i, 'pg-' || i, '10.1.' || (i / 250) || '.' || (i % 250 + 1), 5432 FROM generate_series(1, ${servers}) AS i;
      INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name)
        SELECT i, i, '127.0.0.1', 5432, 'pemagent' FROM generate_series(1, ${servers}) AS i;
      SELECT pem.ensure_history_partitions(1);`);
    const recording = readRecording();
    let sampleId = 1;
    const pass = async () => {
      const started = performance.now();
      const r = await replayLatest(dbs, recording, { servers, agentOf: (s) => s, firstSampleId: sampleId });
      sampleId = r.nextSampleId;
      return { ms: performance.now() - started, samples: r.samples };
    };
    await pass(); // inserts: not timed
    await backend.psql('VACUUM ANALYZE pemdata.latest; CHECKPOINT;');
    const on: number[] = [];
    const off: number[] = [];
    let samplesPerPass = 0;
    for (let i = 0; i < runs; i++) {
      for (const enabled of i % 2 === 0 ? [true, false] : [false, true]) {
        await backend.psql(
          TRIGGERS.map(
            (t) => `ALTER TABLE pemdata.latest ${enabled ? 'ENABLE' : 'DISABLE'} TRIGGER ${t};`,
          ).join(' '),
        );
        const p = await pass();
        samplesPerPass = p.samples;
        (enabled ? on : off).push(Math.round((p.ms / servers) * 100) / 100);
        process.stderr.write(
          `pass ${i + 1} triggers ${enabled ? 'on' : 'off'}: ${(p.ms / servers).toFixed(1)} ms/batch\n`,
        );
      }
    }
    await backend.psql(TRIGGERS.map((t) => `ALTER TABLE pemdata.latest ENABLE TRIGGER ${t};`).join(' '));
    const refreshMsPerBatch: number[] = [];
    for (let i = 0; i < 3; i++) {
      const out = await backend.psql(`CREATE TEMP TABLE r (ms float8);
        DO $$ DECLARE t timestamptz := clock_timestamp(); BEGIN
          PERFORM pem.overview_refresh(s, ARRAY[0, s]) FROM generate_series(1, ${servers}) AS s;
          INSERT INTO r VALUES (extract(epoch FROM clock_timestamp() - t) * 1000 / ${servers});
        END $$;
        SELECT 'refresh_ms=' || ms FROM r;`);
      const m = /refresh_ms=([0-9.]+)/.exec(out);
      if (m) refreshMsPerBatch.push(Math.round(Number(m[1]) * 100) / 100);
    }
    return {
      refreshMsPerBatch,
      servers,
      samplesPerPass,
      msPerBatch: { on, off },
      ratio: on.map((x, i) => Math.round((x / off[i]!) * 100) / 100),
      loadAverage: { start: loadStart, end: loadavg()[0]! },
    } satisfies OverviewIngestCost;
  } finally {
    for (const d of dbs) await d.close().catch(() => {});
    await backend.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { servers: { type: 'string' }, runs: { type: 'string' } } });
  const r = await runOverviewIngestCost({
    ...(values.servers ? { servers: Number(values.servers) } : {}),
    ...(values.runs ? { runs: Number(values.runs) } : {}),
  });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
