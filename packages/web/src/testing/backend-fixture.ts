/**
 * Test support: a real `pem` backend for the web tests. A throw-away
 * PostgreSQL (startPostgres) with TLS from a test CA and HBA rules that admit
 * only the given client addresses (hostssl, scram-sha-256), so a web instance
 * that does not bind its source address is refused. The schema is applied
 * with `migrate`; the roles are:
 *
 * | role   | password   | groups    |
 * |--------|------------|-----------|
 * | pemweb | svc-pw     | pem_web   |
 * | alice  | alice-pw   | pem_admin |
 * | bob    | bob-pw     | pem_user  |
 * | carol  | carol-pw   | (none)    |
 *
 * and a small fleet is inserted ({@link FLEET_SQL}).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@pharos/backend/migrations/run';
import { HaConnection } from '@pharos/core/ha/connection';
import { makeTestPki, type TestPki } from '@pharos/testkit/pki/test-pki';
import { startPostgres, startStandby, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import type { ProbeName, ProbeValues } from '../../ui/contract/probe-columns.js';

/** Role -> password of the test roles. */
export const PASSWORDS = { pemweb: 'svc-pw', alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' } as const;

/**
 * One row of pemdata.latest as an agent's ingest leaves it: `value` holds
 * only columns `probe` declares (contract/probe-columns.ts, generated from
 * the agent's catalog, so a fixture cannot invent a field the probe does not
 * emit); `sql` gives columns as SQL expressions (a time relative to now());
 * `ageSql` is how old the sample is (an interval, default none).
 */
interface LatestFixture<P extends ProbeName> {
  agentId: number;
  serverId: number;
  probe: P;
  object?: string;
  sampleId: number;
  ageSql?: string;
  value: Partial<ProbeValues[P]>;
  sql?: Partial<Record<keyof ProbeValues[P], string>>;
}

/** The VALUES tuple of one {@link LatestFixture} (constant text from the fixture, no outside input). */
function latestValues<P extends ProbeName>(r: LatestFixture<P>): string {
  const json = JSON.stringify(r.value).replaceAll("'", "''");
  const extra = Object.entries(r.sql ?? {}).map(([k, expr]) => `'${k}', ${expr}`);
  const value = extra.length ? `'${json}'::jsonb || jsonb_build_object(${extra.join(', ')})` : `'${json}'`;
  const at = r.ageSql ? `now() - interval '${r.ageSql}'` : 'now()';
  return `(${r.agentId}, ${r.serverId}, '${r.probe}', '${r.object ?? ''}', ${r.sampleId}, ${at}, ${value})`;
}

/** SQL: a timestamptz as the agent writes it in a value (ISO 8601 UTC, normalize.ts). */
const isoSql = (ts: string) => `to_char((${ts}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The fleet the tests expect: 3 agents (alive, dead, never seen), 2 servers
 * with latest values. Server 1 has run for an hour (server_info.started_at).
 */
export const FLEET_SQL = `
INSERT INTO pem.agent (id, user_name, display_name, host_address, last_heartbeat, agent_version) VALUES
  (1, 'agent1', 'pem-backend-1', '127.0.1.4', now() - interval '2 s', '0.1.0'),
  (2, 'agent2', 'pem-web-1', '127.0.1.7', now() - interval '10 min', '0.1.0'),
  (3, 'agent3', 'monitored-1', NULL, NULL, NULL);
INSERT INTO pem.server (id, display_name, host, port, is_pem_backend) VALUES
  (1, 'pem-backend-1', '127.0.1.4', 5432, true),
  (2, 'pem-backend-2', '127.0.1.5', 5432, true);
INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name, sslmode) VALUES
  (1, 1, '127.0.0.1', 5432, 'agent1', 'require'),
  (2, 2, '127.0.0.1', 5432, 'agent2', 'require');
INSERT INTO pemdata.latest (agent_id, server_id, probe, object, sample_id, collected_at, value) VALUES
  ${[
    latestValues({
      agentId: 1,
      serverId: 0,
      probe: 'cpu',
      sampleId: 1,
      value: { busy_pct: 12.5, idle_pct: 87.5 },
    }),
    latestValues({
      agentId: 1,
      serverId: 0,
      probe: 'load_avg',
      sampleId: 2,
      value: { load1: 0.5, load5: 0.4, load15: 0.3 },
    }),
    latestValues({
      agentId: 1,
      serverId: 0,
      probe: 'memory',
      sampleId: 3,
      value: { total_bytes: 8589934592, available_bytes: 4294967296, used_bytes: 4294967296 },
    }),
    latestValues({ agentId: 1, serverId: 1, probe: 'server_up', sampleId: 4, value: { up: 1, error: null } }),
    latestValues({
      agentId: 1,
      serverId: 1,
      probe: 'server_info',
      sampleId: 5,
      value: { role: 'primary', in_recovery: false, server_version: '15.8', timeline: 1 },
      sql: { started_at: isoSql("now() - interval '1 hour'") },
    }),
    latestValues({
      agentId: 1,
      serverId: 1,
      probe: 'connections_by_state',
      object: 'active',
      sampleId: 6,
      value: { state: 'active', connections: 2 },
    }),
    latestValues({
      agentId: 1,
      serverId: 1,
      probe: 'connections_by_state',
      object: 'idle',
      sampleId: 7,
      value: { state: 'idle', connections: 5 },
    }),
    latestValues({
      agentId: 1,
      serverId: 1,
      probe: 'database_stats',
      sampleId: 8,
      value: { xact_commit: 1234, blks_hit: 990, blks_read: 10, hit_ratio_pct: 99 },
    }),
    latestValues({
      agentId: 2,
      serverId: 2,
      probe: 'server_up',
      sampleId: 9,
      ageSql: '10 min',
      value: { up: 0, error: 'connection refused' },
    }),
    latestValues({
      agentId: 2,
      serverId: 2,
      probe: 'replication_lag',
      object: 'upstream',
      sampleId: 10,
      ageSql: '10 min',
      value: { lag_bytes: 16384, replay_lag_s: 0.5, broken: false },
    }),
  ].join(',\n  ')};
`;

/** A running test backend. */
export interface TestBackend {
  dir: string;
  pki: TestPki;
  primary: TestPostgres;
  standby?: TestPostgres;
  /** Runs SQL as postgres in database pem on the primary (or on `on`). */
  psql(sql: string, on?: TestPostgres): Promise<string>;
  /** The `backend` (service) connection string over every server, without a password. */
  backendConninfo(): string;
  /** The `login_backend` template over every server. */
  loginConninfo(): string;
  stop(): Promise<void>;
}

/** Options of {@link startTestBackend}. */
export interface TestBackendOptions {
  /** Address of the primary (and, when given, of a streaming standby). */
  primaryAddress: string;
  standbyAddress?: string;
  /** Addresses allowed by the HBA rules (web instances, the test harness). */
  clientAddresses: string[];
  /** Address the harness binds when it migrates (must be in clientAddresses). */
  harnessAddress: string;
  /** Extra postgresql.conf settings of the primary (e.g. shared_buffers for a benchmark). */
  settings?: Record<string, string>;
  /** HBA rules put before the fixture's own (e.g. `hostssl pem +pem_agent 127.0.2.87/32 cert` for an agent). */
  hba?: string[];
  /** Insert the small fleet of {@link FLEET_SQL} (default true); false: no agents and servers. */
  fleet?: boolean;
}

/** Starts the backend described in the module doc. The caller calls stop(). */
export async function startTestBackend(opts: TestBackendOptions): Promise<TestBackend> {
  const dir = await mkdtemp(join(tmpdir(), 'pharos-web-test-'));
  const pki = makeTestPki(dir);
  const addresses = [opts.primaryAddress, ...(opts.standbyAddress ? [opts.standbyAddress] : [])];
  const serverCert = pki.issue('backend', addresses);
  const primary = await startPostgres({
    address: opts.primaryAddress,
    ssl: { certFile: serverCert.cert, keyFile: serverCert.key, caFile: pki.caCert },
    hba: [...(opts.hba ?? []), ...opts.clientAddresses.map((a) => `hostssl all all ${a}/32 scram-sha-256`)],
    ...(opts.settings ? { settings: opts.settings } : {}),
  });
  const stops: (() => Promise<void>)[] = [() => primary.stop()];
  const backend: TestBackend = {
    dir,
    pki,
    primary,
    psql: (sql, on = primary) => on.psql(sql, 'pem'),
    backendConninfo: () =>
      `host=${addresses.join(',')} port=5432 dbname=pem user=pemweb sslmode=verify-full sslrootcert=${pki.caCert} target_session_attrs=read-write connect_timeout=2`,
    loginConninfo: () =>
      `host=${addresses.join(',')} port=5432 dbname=pem sslmode=verify-full sslrootcert=${pki.caCert} connect_timeout=2`,
    async stop() {
      for (const stop of stops.reverse()) await stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await primary.psql('CREATE DATABASE pem');
    const admin = new HaConnection({
      conninfo: `host=${opts.primaryAddress} dbname=pem user=postgres password=${primary.superuserPassword} sslmode=verify-full sslrootcert=${pki.caCert}`,
      sourceAddress: opts.harnessAddress,
    });
    try {
      await migrate((fn) => admin.transaction(fn));
    } finally {
      await admin.close();
    }
    await backend.psql(`
      CREATE ROLE pemweb LOGIN PASSWORD '${PASSWORDS.pemweb}' IN ROLE pem_web;
      CREATE ROLE alice LOGIN PASSWORD '${PASSWORDS.alice}' IN ROLE pem_admin;
      CREATE ROLE bob LOGIN PASSWORD '${PASSWORDS.bob}' IN ROLE pem_user;
      CREATE ROLE carol LOGIN PASSWORD '${PASSWORDS.carol}';
      ${opts.fleet === false ? '' : FLEET_SQL}`);
    if (opts.standbyAddress) {
      const standby = await startStandby(primary, { address: opts.standbyAddress });
      backend.standby = standby;
      stops.push(() => standby.stop());
    }
  } catch (err) {
    await backend.stop();
    throw err;
  }
  return backend;
}
