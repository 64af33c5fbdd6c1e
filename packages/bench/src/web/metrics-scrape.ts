/**
 * Benchmark: one Prometheus scrape of a web instance (GET /metrics, issue
 * 18) with `servers` monitored servers (default 600), each with its own
 * agent and the latest values an agent ships: the host's cpu, load and
 * memory, server_up, server_info, connections_by_state (7 states),
 * replication_lag, database_stats and 20 tables' table_stats — stored
 * through the real pem.ingest_batch (testing/synthetic-history.ts). Reports
 * the scrape's p50/p95/max latency, its size and its number of samples,
 * and how many statements the web instance ran per scrape
 * (pg_stat_statements is not needed: pg_stat_database.xact_commit of the
 * pem database is read before and after).
 *
 * Run: `node packages/bench/dist/web/metrics-scrape.js [--servers 600]
 * [--requests 30]` (prints the figures as JSON). Addresses 127.0.4.96-98.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { HaConnection } from '@pharos/core/ha/connection';
import { startTestBackend } from '@pharos/web/testing/backend-fixture';
import { historyStatements } from '@pharos/web/testing/synthetic-history';
import { startTestInstance } from '@pharos/web/testing/web-instance';
import { percentile } from './api-latency.js';

/** What {@link runMetricsScrapeBench} measured. */
export interface MetricsScrapeFigures {
  servers: number;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  answerBytes: number;
  /** Sample lines in one answer. */
  samples: number;
  /** Transactions the pem database committed per scrape (the web instance's statements; autocommit). */
  transactionsPerScrape: number;
}

const ADDRESSES = { backend: '127.0.4.96', web: '127.0.4.97', harness: '127.0.4.98' };
/** A fixed token for the benchmark's own throw-away backend (stored hashed, as the API stores one). */
const TOKEN = `pha_${'b'.repeat(43)}`;

/** Builds the fleet, starts a web instance, measures `requests` scrapes, and stops what it started. */
export async function runMetricsScrapeBench(
  opts: { servers?: number; requests?: number } = {},
): Promise<MetricsScrapeFigures> {
  const servers = opts.servers ?? 600;
  const requests = opts.requests ?? 30;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const backend = await startTestBackend({
    primaryAddress: ADDRESSES.backend,
    clientAddresses: [ADDRESSES.web, ADDRESSES.harness],
    harnessAddress: ADDRESSES.harness,
    fleet: false,
  });
  let web: Awaited<ReturnType<typeof startTestInstance>> | undefined;
  const loader = new HaConnection({
    conninfo: `host=${ADDRESSES.backend} dbname=pem user=pemagent password=agent-pw sslmode=verify-full sslrootcert=${backend.pki.caCert}`,
    sourceAddress: ADDRESSES.harness,
    queryTimeoutMs: 600_000,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: readFileSync(backend.pki.caCert) });
  try {
    log(`setup: ${servers} servers`);
    await backend.psql(`
      CREATE ROLE pemagent LOGIN PASSWORD 'agent-pw' IN ROLE pem_agent;
      INSERT INTO pem.agent (id, user_name, display_name, host_address, last_heartbeat, agent_version)
        SELECT i, 'pemagent', 'host-' || i, ('10.1.' || (i / 250) || '.' || (i % 250 + 1))::inet, now(), '0.1.0'
          FROM generate_series(1, ${servers}) AS i;
      INSERT INTO pem.server (id, display_name, host, port)
        SELECT i, 'pg-' || i, '10.1.' || (i / 250) || '.' || (i % 250 + 1), 5432 FROM generate_series(1, ${servers}) AS i;
      INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name)
        SELECT i, i, '127.0.0.1', 5432, 'pemagent' FROM generate_series(1, ${servers}) AS i;
      SELECT setval('pem.server_id_seq', ${servers});
      SELECT pem.ensure_history_partitions(1);
      INSERT INTO pem.api_token (name, role_name, secret_sha256, expires_at)
        VALUES ('bench', 'bob', sha256('${TOKEN}'::bytea), now() + interval '1 day');`);
    const nowS = Math.floor(Date.now() / 1000);
    let sampleId = 1;
    for (let s = 1; s <= servers; s++) {
      const statements = historyStatements({
        agentId: s,
        serverIds: [s],
        fromS: nowS - 1,
        toS: nowS,
        stepS: 1,
        firstSampleId: sampleId,
        tableStats: true,
        probes: [
          'host',
          'server_up',
          'server_info',
          'connections_by_state',
          'replication_lag',
          'database_stats',
        ],
      });
      await loader.transaction(async (tx) => {
        for (const st of statements) await tx.query(st);
      });
      sampleId += 100;
    }
    await backend.psql('VACUUM ANALYZE pemdata.latest;');
    web = await startTestInstance(backend, ADDRESSES.web, { backend_connections: 4 });
    const url = new URL('/metrics', web.url);
    const scrape = () =>
      new Promise<{ status: number; text: string; ms: number }>((resolve, reject) => {
        const started = performance.now();
        const req = request(
          url,
          { agent, localAddress: ADDRESSES.harness, headers: { authorization: `Bearer ${TOKEN}` } },
          (res) => {
            const parts: Buffer[] = [];
            res.on('data', (c: Buffer) => parts.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                text: Buffer.concat(parts).toString('utf8'),
                ms: performance.now() - started,
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end();
      });
    const commits = async () =>
      Number(await backend.psql("SELECT xact_commit FROM pg_stat_database WHERE datname = 'pem'"));
    for (let i = 0; i < 3; i++) await scrape(); // warm-up (and the probe catalogue cached)
    const before = await commits();
    const times: number[] = [];
    let last = { status: 0, text: '', ms: 0 };
    for (let i = 0; i < requests; i++) {
      last = await scrape();
      if (last.status !== 200) throw new Error(`scrape answered ${last.status}: ${last.text.slice(0, 200)}`);
      times.push(last.ms);
    }
    // pg_stat_database is updated when a backend reports its statistics (at most every second)
    await new Promise((r) => setTimeout(r, 1500));
    const after = await commits();
    const sorted = [...times].sort((a, b) => a - b);
    const r1 = (x: number) => Math.round(x * 10) / 10;
    return {
      servers,
      requests,
      p50Ms: r1(percentile(sorted, 50)),
      p95Ms: r1(percentile(sorted, 95)),
      maxMs: r1(sorted.at(-1) ?? Number.NaN),
      answerBytes: Buffer.byteLength(last.text),
      samples: last.text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
      // the two psql reads of the counter commit one transaction each
      transactionsPerScrape: Math.round(((after - before - 1) / requests) * 100) / 100,
    };
  } finally {
    agent.destroy();
    await loader.close().catch(() => {});
    await web?.close();
    await backend.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { servers: { type: 'string' }, requests: { type: 'string' } } });
  const figures = await runMetricsScrapeBench({
    ...(values.servers ? { servers: Number(values.servers) } : {}),
    ...(values.requests ? { requests: Number(values.requests) } : {}),
  });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}
