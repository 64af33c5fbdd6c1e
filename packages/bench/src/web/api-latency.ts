/**
 * Benchmark: API latency (p50/p95) of the overview (GET /api/fleet) and of
 * a 7-day server chart (GET /api/servers/:id/series over 7 days) with 600
 * (or 5,000: `--servers`) monitored servers' worth of latest values and
 * history (issues 7 and 19; targets: overview p95 <= 100 ms at 600 and at
 * 5,000 servers, chart p95 <= 200 ms).
 *
 * Setup, all on this machine: a throw-away backend (startPostgres, TLS,
 * the real migrations, daily history partitions for the range), one web
 * instance started through its real entry points, and generated history
 * stored through the real ingest function pem.ingest_batch
 * (testing/synthetic-history.ts), as a common agent user:
 *
 * - `servers` servers (default 600), each with its own agent, whose latest
 *   values are the lab's (`latest: 'recorded'`, the default): the two newest
 *   samples of every probe and object of a recorded server and of a
 *   recorded agent host (packages/bench/fixtures/lab-samples.jsonl.gz,
 *   recorded/replay-latest.ts), about 1,300 samples per server, replayed
 *   through pem.ingest_batch last, so pemdata.latest holds what ingest writes
 *   after minutes of monitoring (about 650 rows per server: every table,
 *   index, statement, setting...). `latest: 'synthetic'` writes the overview
 *   probes' values only (testing/synthetic-history.ts), as before;
 * - the first `coarseServers` of them (default min(servers, 600)) have `days`
 *   days of database_stats history every `coarseStepS` seconds (default 900);
 * - `detailedServers` servers (default 5) bound to one agent with full
 *   resolution history (`detailedStepS`, default 10 s) over the whole range
 *   for database_stats and connections_by_state (7 states), shipped in
 *   hourly batches with the servers' rows interleaved by time, so the rows
 *   of one server are spread over the heap as an agent's batches spread them.
 *
 * Every server and agent has the default alerts bound at registration, about
 * 5 % of them raised, and one maintenance window covers server 3.
 * Before measuring, the overview's answer is compared with the statement it
 * replaced (web testing/fleet-reference.ts) on the same data in one
 * transaction (`overview.sameAsReference`). Each overview request is sent
 * FLEET_CACHE_MS + 100 ms after the previous one started, so every answer is
 * read from the backend (the instance keeps an answer for FLEET_CACHE_MS).
 *
 * The charts measured are the TPS chart (rate of xact_commit and
 * xact_rollback: 60 480 samples per 7 days at 10 s) and the connections chart
 * (gauge, 7 objects: 423 360 samples), at `points` buckets, over HTTPS with
 * a kept-alive connection, after `warmup` requests; requests run one after
 * another (`concurrency` 1) or from several clients at once. The TPS chart
 * is measured twice: on the history as ingested, and after every closed day's
 * partition was rewritten in index order by pem.cluster_history_day
 * (003_web.sql), which the partition upkeep job is meant to do once a day.
 * Before measuring, the rollup is brought up to date by pem.rollup_history
 * (006_rollup.sql), as the backend's history_rollup job keeps it every minute
 * (its time is reported as setup.rollupSeconds); 7-day charts read it.
 *
 * Run: `node packages/bench/dist/web/api-latency.js [--servers 600] [--days 7]
 * [--requests 200] [--overview-requests 60] [--concurrency 1] [--latest synthetic]`
 * (prints the figures as JSON).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { HaConnection } from '@pharos/core/ha/connection';
import { FLEET_CACHE_MS } from '@pharos/web/api/fleet-cache';
import {
  DEFAULT_HEARTBEAT_INTERVAL_S,
  FIRST_PAGE,
  FLEET_SQL,
  fleetParams,
  OVERVIEW_PROBES,
} from '@pharos/web/api/fleet-query';
import { SESSION_COOKIE } from '@pharos/web/auth/cookie';
import { PASSWORDS, startTestBackend } from '@pharos/web/testing/backend-fixture';
import { asReference, REFERENCE_FLEET_SQL, WHOLE_FLEET } from '@pharos/web/testing/fleet-reference';
import { historyStatements, type SyntheticHistory } from '@pharos/web/testing/synthetic-history';
import { startTestInstance } from '@pharos/web/testing/web-instance';
import { readRecording, replayLatest } from '../recorded/replay-latest.js';

/** Options of {@link runApiLatencyBench}; every field has a default. */
export interface ApiLatencyBenchOptions {
  servers?: number;
  /** Latest values: the lab's recorded samples (default) or the synthetic overview probes only. */
  latest?: 'recorded' | 'synthetic';
  /** Servers with coarse database_stats history (default min(servers, 600)). */
  coarseServers?: number;
  days?: number;
  coarseStepS?: number;
  detailedServers?: number;
  detailedStepS?: number;
  /** Timed requests per measured chart. */
  requests?: number;
  /** Timed overview requests, each read from the backend (default 60: about 2 minutes). */
  overviewRequests?: number;
  warmup?: number;
  /** Clients sending at once. */
  concurrency?: number;
  /** Buckets asked per chart series (about a chart's width in pixels). */
  points?: number;
  /** Loopback addresses: backend, web instance, harness (127.0.4.X only). */
  addresses?: { backend: string; web: string; harness: string };
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** Latency figures of one endpoint, milliseconds. */
export interface LatencyFigures {
  requests: number;
  /** Requests not answered 200 (left out of the percentiles). */
  failed: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Size of one answer, bytes. */
  answerBytes: number;
}

/** What {@link runApiLatencyBench} measured. */
export interface ApiLatencyFigures {
  setup: {
    servers: number;
    detailedServers: number;
    days: number;
    historyRows: number;
    /** Where the latest values came from, and the rows of pemdata.latest. */
    latest: 'recorded' | 'synthetic';
    latestRows: number;
    coarseServers: number;
    loadSeconds: number;
    rowsPerSecond: number;
    /** Time pem.rollup_history took to roll up the loaded history. */
    rollupSeconds: number;
  };
  concurrency: number;
  /** Every request read from the backend; sameAsReference: the answer equals the pre-018 statement's on this data. */
  overview: LatencyFigures & { sameAsReference: boolean };
  /**
   * The overview's statement alone in the backend (no HTTP, no TLS), ms per run: the one it
   * replaced without migration 018's index (before) and the current one as readFleetJson runs it
   * (jit off).
   */
  overviewStatementMs: { before: number[]; after: number[] };
  /** pointsPerSeries: buckets in the answer (at most the `points` asked); bucketS: their width. */
  chart7dTps: LatencyFigures & { samplesPerChart: number; pointsPerSeries: number; bucketS: number };
  chart7dConnections: LatencyFigures & { samplesPerChart: number };
  /** The TPS chart after pem.cluster_history_day of every closed day (the connections chart is measured after it too). */
  chart7dTpsClustered: LatencyFigures & { clusterSeconds: number };
  /** First request per detailed server (cold caches for that server's rows), ms. */
  chart7dTpsFirstMs: number[];
  /** met: overview p95 within target, and the chart p95 within target as ingested or once clustered. */
  targets: { overviewP95Ms: 100; chartP95Ms: 200; met: boolean };
  /** 1-minute load average of this machine at the start and the end (other work skews the figures). */
  loadAverage: { start: number; end: number };
}

const DEFAULT_ADDRESSES = { backend: '127.0.4.90', web: '127.0.4.91', harness: '127.0.4.92' };

/** The p-th percentile (0-100) of `sorted` ascending values (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

function figures({ times, bytes: answerBytes, failed }: Measured): LatencyFigures {
  const sorted = [...times].sort((x, y) => x - y);
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    requests: times.length + failed,
    failed,
    p50Ms: r(percentile(sorted, 50)),
    p95Ms: r(percentile(sorted, 95)),
    maxMs: r(sorted.at(-1) ?? Number.NaN),
    answerBytes,
  };
}

/** GET over a kept-alive HTTPS connection; resolves status, body length and elapsed ms. */
function timedGet(
  url: string,
  agent: Agent,
  cookie: string,
  localAddress: string,
): Promise<{ status: number; bytes: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent, localAddress, headers: { cookie, accept: 'application/json' } },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

interface Measured {
  times: number[];
  bytes: number;
  failed: number;
}

/** Sends `count` GETs of `urlOf(i)` from `concurrency` clients; returns the times of the 200 answers. */
async function measure(
  count: number,
  concurrency: number,
  urlOf: (i: number) => string,
  get: (url: string) => ReturnType<typeof timedGet>,
): Promise<Measured> {
  const times: number[] = [];
  let bytes = 0;
  let failed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const r = await get(urlOf(i));
        if (r.status !== 200) {
          failed++;
          continue;
        }
        times.push(r.ms);
        bytes = r.bytes;
      }
    }),
  );
  return { times, bytes, failed };
}

/** `get` that starts each request at least `periodMs` after the previous one started. */
function paced(get: (url: string) => ReturnType<typeof timedGet>, periodMs: number) {
  let last = 0;
  return async (url: string) => {
    const wait = last + periodMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    last = performance.now();
    return get(url);
  };
}

/**
 * Reads the overview with the current statement (web api/fleet-query.ts: the whole fleet in one
 * page, by id) and with the one it replaced (web testing/fleet-reference.ts) in one transaction
 * (the same now()) as the web service role; true when the answers are equal as JSON values, once
 * the fields the reference did not have are left out (testing/fleet-reference.ts asReference).
 */
async function compareWithReference(conninfo: string, sourceAddress: string): Promise<boolean> {
  const db = new HaConnection({ conninfo, sourceAddress, queryTimeoutMs: 600_000 });
  try {
    return await db.transaction(async (tx) => {
      await tx.query('SET LOCAL jit = off');
      const ref = await tx.query<{ fleet: string }>(REFERENCE_FLEET_SQL, [
        DEFAULT_HEARTBEAT_INTERVAL_S,
        OVERVIEW_PROBES,
      ]);
      const cur = await tx.query<{ fleet: string }>(FLEET_SQL, fleetParams(WHOLE_FLEET));
      return isDeepStrictEqual(asReference(JSON.parse(cur.rows[0]!.fleet)), JSON.parse(ref.rows[0]!.fleet));
    });
  } finally {
    await db.close().catch(() => {});
  }
}

/**
 * Builds the backend and the history, starts a web instance, measures, and
 * stops everything it started. Takes about two minutes with the defaults.
 * @throws the setup's errors (a PostgreSQL that does not start, an address in
 *   use) and any non-200 answer of a measured request.
 */
export async function runApiLatencyBench(opts: ApiLatencyBenchOptions = {}): Promise<ApiLatencyFigures> {
  const o = {
    servers: opts.servers ?? 600,
    latest: opts.latest ?? 'recorded',
    coarseServers: Math.min(opts.coarseServers ?? 600, opts.servers ?? 600),
    days: opts.days ?? 7,
    coarseStepS: opts.coarseStepS ?? 900,
    detailedServers: opts.detailedServers ?? 5,
    detailedStepS: opts.detailedStepS ?? 10,
    requests: opts.requests ?? 100,
    overviewRequests: opts.overviewRequests ?? 60,
    warmup: opts.warmup ?? 20,
    concurrency: opts.concurrency ?? 1,
    points: opts.points ?? 600,
    addresses: opts.addresses ?? DEFAULT_ADDRESSES,
    log: opts.log ?? ((line: string) => process.stderr.write(`${line}\n`)),
  };
  const { addresses: ad, log } = o;
  const backend = await startTestBackend({
    primaryAddress: ad.backend,
    clientAddresses: [ad.web, ad.harness],
    harnessAddress: ad.harness,
    settings: { shared_buffers: '512MB', max_wal_size: '4GB', checkpoint_timeout: '30min' },
  });
  let web: Awaited<ReturnType<typeof startTestInstance>> | undefined;
  const loader = new HaConnection({
    conninfo: `host=${ad.backend} dbname=pem user=pemagent password=agent-pw sslmode=verify-full sslrootcert=${backend.pki.caCert}`,
    sourceAddress: ad.harness,
    queryTimeoutMs: 600_000,
  });
  const agent = new Agent({
    keepAlive: true,
    maxSockets: o.concurrency,
    ca: readFileSync(backend.pki.caCert),
  });
  try {
    const nowS = Math.floor(Date.now() / 1000);
    const fromS = nowS - o.days * 86400;
    const detailed = Array.from({ length: o.detailedServers }, (_, i) => i + 1);
    const loadStart = loadavg()[0]!;
    log(`setup: ${o.servers} servers, ${o.detailedServers} at ${o.detailedStepS} s, ${o.days} days`);
    await backend.psql(`
      DELETE FROM pem.server_binding; DELETE FROM pem.server; DELETE FROM pem.agent; DELETE FROM pemdata.latest;
      CREATE ROLE pemagent LOGIN PASSWORD 'agent-pw' IN ROLE pem_agent;
      INSERT INTO pem.agent (id, user_name, display_name, host_address, last_heartbeat, agent_version)
        SELECT i, 'pemagent', 'host-' || i, ('10.1.' || (i / 250) || '.' || (i % 250 + 1))::inet, now(), '0.1.0'
          FROM generate_series(1, ${o.servers}) AS i;
      INSERT INTO pem.server (id, display_name, host, port)
        SELECT i, 'pg-' || i, '10.1.' || (i / 250) || '.' || (i % 250 + 1), 5432 FROM generate_series(1, ${o.servers}) AS i;
      INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name)
        SELECT i, CASE WHEN i <= ${o.detailedServers} THEN 1 ELSE i END, '127.0.0.1', 5432, 'pemagent'
          FROM generate_series(1, ${o.servers}) AS i;
      SELECT setval('pem.server_id_seq', ${o.servers});
      SELECT pem.ensure_history_partitions(1);
      DO $$ DECLARE d date; BEGIN
        FOR d IN SELECT generate_series(current_date - ${o.days + 1}, current_date - 1, interval '1 day')::date LOOP
          IF to_regclass('pemhistory.sample_' || to_char(d, 'YYYYMMDD')) IS NULL THEN
            EXECUTE format('CREATE TABLE pemhistory.%I PARTITION OF pemhistory.sample FOR VALUES FROM (%L) TO (%L)',
                           'sample_' || to_char(d, 'YYYYMMDD'), d::timestamptz, (d + 1)::timestamptz);
          END IF;
        END LOOP; END $$;`);

    let sampleId = 1;
    let rows = 0;
    const ship = async (h: Omit<SyntheticHistory, 'firstSampleId'>, expected: number) => {
      const statements = historyStatements({ ...h, firstSampleId: sampleId });
      await loader.transaction(async (tx) => {
        for (const s of statements) await tx.query(s);
      });
      sampleId += expected;
      rows += expected;
    };
    const started = performance.now();
    const hourS = 3600;
    for (let day = 0; day < o.days; day++) {
      const dayFrom = fromS + day * 86400;
      for (let s = o.detailedServers + 1; s <= o.coarseServers; s++) {
        const n = Math.ceil(86400 / o.coarseStepS);
        await ship(
          {
            agentId: s,
            serverIds: [s],
            fromS: dayFrom,
            toS: dayFrom + 86400,
            stepS: o.coarseStepS,
            probes: ['database_stats'],
          },
          n,
        );
      }
      for (let h = 0; h < 24; h++) {
        const n = Math.ceil(hourS / o.detailedStepS) * 8 * detailed.length;
        await ship(
          {
            agentId: 1,
            serverIds: detailed,
            fromS: dayFrom + h * hourS,
            toS: dayFrom + (h + 1) * hourS,
            stepS: o.detailedStepS,
            probes: ['database_stats', 'connections_by_state'],
          },
          n,
        );
      }
      log(`  day ${day + 1}/${o.days}: ${rows} rows, ${Math.round((performance.now() - started) / 1000)} s`);
    }
    // Latest values: the lab's, of every probe, through ingest (or the overview probes', synthetic).
    const agentOf = (s: number) => (s <= o.detailedServers ? 1 : s);
    if (o.latest === 'recorded') {
      const replayers = [0, 1].map(
        () =>
          new HaConnection({
            conninfo: `host=${ad.backend} dbname=pem user=pemagent password=agent-pw sslmode=verify-full sslrootcert=${backend.pki.caCert}`,
            sourceAddress: ad.harness,
            queryTimeoutMs: 600_000,
          }),
      );
      try {
        const r = await replayLatest(replayers, readRecording(), {
          servers: o.servers,
          agentOf,
          firstSampleId: sampleId,
        });
        sampleId = r.nextSampleId;
        rows += r.samples;
      } finally {
        for (const c of replayers) await c.close().catch(() => {});
      }
    }
    for (let s = 1; o.latest === 'synthetic' && s <= o.servers; s++) {
      await ship(
        {
          agentId: agentOf(s),
          serverIds: [s],
          fromS: nowS - 1,
          toS: nowS,
          stepS: 1,
          probes: [
            'host',
            'server_up',
            'server_info',
            'connections_by_state',
            'replication_lag',
            'database_stats',
          ],
        },
        15,
      );
    }
    const loadSeconds = (performance.now() - started) / 1000;
    log(`loaded ${rows} rows in ${loadSeconds.toFixed(0)} s; VACUUM ANALYZE`);
    // The default alerts bound at registration (25 per server and agent), about 5 % of them raised
    // (as alerts/alert-bench.ts assumes), and one maintenance window covering server 3 now.
    await backend.psql(`UPDATE pem.alert SET state = (ARRAY['low', 'medium', 'high'])[id % 3 + 1] WHERE id % 20 = 0;
      INSERT INTO pem.maintenance_window (scope, server_id, schedule, starts_at, ends_at, reason, created_by)
        VALUES ('server', 3, 'once', now() - interval '1 hour', now() + interval '1 hour', 'patching', 'alice');`);
    await backend.psql(
      'VACUUM ANALYZE pemhistory.sample; VACUUM ANALYZE pemdata.latest; VACUUM ANALYZE pem.alert;',
    );
    const latestRows = Number(await backend.psql('SELECT count(*) FROM pemdata.latest'));
    const sameAsReference = await compareWithReference(
      `host=${ad.backend} dbname=pem user=pemweb password=${PASSWORDS.pemweb} sslmode=verify-full sslrootcert=${backend.pki.caCert}`,
      ad.harness,
    );
    log(
      `pemdata.latest: ${latestRows} rows; the overview equals the pre-018 statement's: ${sameAsReference}`,
    );
    // The statements with their parameters written in: the reference's ($1 heartbeat, $2 probes),
    // the current one's for the first page, problems first, as the overview page asks for it.
    const literal = (v: unknown): string =>
      v === null
        ? 'NULL'
        : typeof v === 'number'
          ? String(v)
          : Array.isArray(v)
            ? `ARRAY[${v.map(literal).join(', ')}]::text[]`
            : `'${String(v).replaceAll("'", "''")}'::text`;
    const inline = (sql: string, params: unknown[]) =>
      sql.replace(/\$(\d+)/g, (_m, n: string) => `(${literal(params[Number(n) - 1])})`);
    const timeStatement = async (sql: string, runs: number, before: string, params: unknown[]) =>
      (
        await backend.psql(`BEGIN; ${before} CREATE TEMP TABLE run_ms (ms float8);
          DO $do$ DECLARE t timestamptz; x text; BEGIN
            FOR i IN 1..${runs} LOOP
              t := clock_timestamp(); EXECUTE $q$${inline(sql, params)}$q$ INTO x;
              INSERT INTO run_ms VALUES (extract(epoch FROM clock_timestamp() - t) * 1000);
            END LOOP; END $do$;
          SELECT string_agg(round(ms)::text, ' ') FROM run_ms; ROLLBACK;`)
      )
        .split('\n')
        .filter((l) => /^[0-9 ]+$/.test(l))
        .at(-1)!
        .split(' ')
        .map(Number);
    log('timing the overview statement before (no index) and after');
    const overviewStatementMs = {
      before: await timeStatement(REFERENCE_FLEET_SQL, 3, 'DROP INDEX pemdata.latest_overview_idx;', [
        DEFAULT_HEARTBEAT_INTERVAL_S,
        OVERVIEW_PROBES,
      ]),
      after: await timeStatement(FLEET_SQL, 7, 'SET LOCAL jit = off;', fleetParams(FIRST_PAGE)),
    };
    log(
      `overview statement ms: before ${overviewStatementMs.before.join(' ')}, after ${overviewStatementMs.after.join(' ')}`,
    );
    log('rolling up the history (pem.rollup_history)');
    const rollupStarted = performance.now();
    for (let run = 0; ; run++) {
      const r = JSON.parse(await backend.psql("SELECT pem.rollup_history(interval '1 day')")) as {
        caught_up: boolean;
      };
      if (r.caught_up && run > 0) break;
      if (run > 10 * o.days + 10) throw new Error(`the rollup did not catch up: ${JSON.stringify(r)}`);
    }
    const rollupSeconds = Math.round((performance.now() - rollupStarted) / 1000);
    await backend.psql('VACUUM ANALYZE pemhistory.rollup;');

    web = await startTestInstance(backend, ad.web, { backend_connections: 4 });
    const login = await new Promise<string>((resolve, reject) => {
      const req = request(
        new URL('/api/login', web!.url),
        { method: 'POST', agent, localAddress: ad.harness, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          const c = (res.headers['set-cookie'] ?? []).find((x) => x.startsWith(`${SESSION_COOKIE}=`));
          if (res.statusCode === 200 && c) resolve(c.split(';')[0]!);
          else reject(new Error(`login answered ${res.statusCode}`));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ user: 'bob', password: PASSWORDS.bob }));
    });
    const get = (url: string) => timedGet(url, agent, login, ad.harness);
    const base = web.url.replace(/\/$/, '');
    const range = () => {
      const to = new Date();
      return `from=${new Date(to.getTime() - o.days * 86400_000).toISOString()}&to=${to.toISOString()}`;
    };
    const tpsUrl = (i: number) =>
      `${base}/api/servers/${detailed[i % detailed.length]}/series?probe=database_stats&fields=xact_commit,xact_rollback&mode=rate&points=${o.points}&${range()}`;
    const connUrl = (i: number) =>
      `${base}/api/servers/${detailed[i % detailed.length]}/series?probe=connections_by_state&fields=connections&points=${o.points}&${range()}`;

    const firsts: number[] = [];
    for (let i = 0; i < detailed.length; i++) firsts.push(Math.round((await get(tpsUrl(i))).ms));
    const shape = await new Promise<{ t: number[]; bucketS: number }>((resolve, reject) => {
      const req = request(
        tpsUrl(0),
        { agent, localAddress: ad.harness, headers: { cookie: login, accept: 'application/json' } },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(parts).toString('utf8'))));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
    log(`measuring the overview (${o.overviewRequests} requests, one per ${FLEET_CACHE_MS + 100} ms)`);
    await measure(3, 1, () => `${base}/api/fleet`, get);
    const ov = await measure(
      o.overviewRequests,
      1,
      () => `${base}/api/fleet`,
      paced(get, FLEET_CACHE_MS + 100),
    );
    {
      const f = figures(ov);
      log(
        `overview: p50 ${f.p50Ms} ms, p95 ${f.p95Ms} ms, max ${f.maxMs} ms, ${f.failed} failed, ${f.answerBytes} bytes; load ${loadavg()[0]!.toFixed(1)}`,
      );
    }
    log('measuring the 7-day TPS chart');
    await measure(o.warmup, 1, tpsUrl, get);
    const tps = await measure(o.requests, o.concurrency, tpsUrl, get);

    log('clustering the closed days');
    const clusterStarted = performance.now();
    await backend.psql(
      `SELECT pem.cluster_history_day(d::date) FROM generate_series(current_date - ${o.days + 1}, current_date - 1, interval '1 day') AS d`,
    );
    const clusterSeconds = Math.round((performance.now() - clusterStarted) / 1000);
    log('measuring the 7-day TPS chart again');
    await measure(o.warmup, 1, tpsUrl, get);
    const clustered = await measure(o.requests, o.concurrency, tpsUrl, get);
    log('measuring the 7-day connections chart');
    const conn = await measure(Math.max(10, Math.floor(o.requests / 10)), o.concurrency, connUrl, get);

    const overview = figures(ov);
    const chart = figures(tps);
    const chartClustered = figures(clustered);
    const samples = Math.ceil((o.days * 86400) / o.detailedStepS);
    return {
      setup: {
        servers: o.servers,
        detailedServers: o.detailedServers,
        days: o.days,
        historyRows: rows,
        latest: o.latest,
        latestRows,
        coarseServers: o.coarseServers,
        loadSeconds: Math.round(loadSeconds),
        rowsPerSecond: Math.round(rows / loadSeconds),
        rollupSeconds,
      },
      concurrency: o.concurrency,
      overview: { ...overview, sameAsReference },
      overviewStatementMs,
      chart7dTps: {
        ...chart,
        samplesPerChart: samples,
        pointsPerSeries: shape.t.length,
        bucketS: shape.bucketS,
      },
      chart7dConnections: { ...figures(conn), samplesPerChart: samples * 7 },
      chart7dTpsClustered: { ...chartClustered, clusterSeconds },
      chart7dTpsFirstMs: firsts,
      targets: {
        overviewP95Ms: 100,
        chartP95Ms: 200,
        met:
          overview.failed === 0 &&
          sameAsReference &&
          overview.p95Ms <= 100 &&
          Math.min(chart.p95Ms, chartClustered.p95Ms) <= 200,
      },
      loadAverage: { start: loadStart, end: loadavg()[0]! },
    };
  } finally {
    agent.destroy();
    await web?.close().catch(() => {});
    await loader.close().catch(() => {});
    await backend.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      servers: { type: 'string' },
      latest: { type: 'string' },
      'coarse-servers': { type: 'string' },
      'overview-requests': { type: 'string' },
      days: { type: 'string' },
      requests: { type: 'string' },
      concurrency: { type: 'string' },
      'detailed-servers': { type: 'string' },
    },
  });
  const num = (x: string | undefined) => (x === undefined ? undefined : Number(x));
  const o: ApiLatencyBenchOptions = {};
  if (values.servers) o.servers = num(values.servers)!;
  if (values.days) o.days = num(values.days)!;
  if (values.latest === 'recorded' || values.latest === 'synthetic') o.latest = values.latest;
  else if (values.latest) throw new Error(`--latest: '${values.latest}' is not recorded or synthetic`);
  if (values['coarse-servers']) o.coarseServers = num(values['coarse-servers'])!;
  if (values['overview-requests']) o.overviewRequests = num(values['overview-requests'])!;
  if (values.requests) o.requests = num(values.requests)!;
  if (values.concurrency) o.concurrency = num(values.concurrency)!;
  if (values['detailed-servers']) o.detailedServers = num(values['detailed-servers'])!;
  const result = await runApiLatencyBench(o);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
