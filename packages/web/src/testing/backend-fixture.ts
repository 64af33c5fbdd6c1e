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
import { HaConnection } from '@pharos/core/ha-connection';
import { makeTestPki, type TestPki } from '@pharos/testkit/pki/test-pki';
import { startPostgres, startStandby, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { testMigrations } from './migrations.js';

/** Role -> password of the test roles. */
export const PASSWORDS = { pemweb: 'svc-pw', alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' } as const;

/** The fleet the tests expect: 3 agents (alive, dead, never seen), 2 servers with latest values. */
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
  (1, 0, 'cpu', '', 1, now(), '{"busy_pct": 12.5, "idle_pct": 87.5}'),
  (1, 0, 'load_avg', '', 2, now(), '{"load1": 0.5, "load5": 0.4, "load15": 0.3}'),
  (1, 0, 'memory', '', 3, now(), '{"total_bytes": 8589934592, "available_bytes": 4294967296, "used_bytes": 4294967296}'),
  (1, 1, 'server_up', '', 4, now(), '{"up": 1, "error": null}'),
  (1, 1, 'server_info', '', 5, now(), '{"role": "primary", "uptime_s": 3600, "server_version": "15.8", "timeline": 1}'),
  (1, 1, 'connections_by_state', 'active', 6, now(), '{"state": "active", "connections": 2}'),
  (1, 1, 'connections_by_state', 'idle', 7, now(), '{"state": "idle", "connections": 5}'),
  (1, 1, 'database_stats', '', 8, now(), '{"xact_commit": 1234, "blks_hit": 990, "blks_read": 10, "hit_ratio_pct": 99}'),
  (2, 2, 'server_up', '', 9, now() - interval '10 min', '{"up": 0, "error": "connection refused"}'),
  (2, 2, 'replication_lag', 'upstream', 10, now() - interval '10 min', '{"lag_bytes": 16384, "replay_lag_s": 0.5, "broken": false}');
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
    hba: opts.clientAddresses.map((a) => `hostssl all all ${a}/32 scram-sha-256`),
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
      await migrate((fn) => admin.transaction(fn), testMigrations());
    } finally {
      await admin.close();
    }
    await backend.psql(`
      CREATE ROLE pemweb LOGIN PASSWORD '${PASSWORDS.pemweb}' IN ROLE pem_web;
      CREATE ROLE alice LOGIN PASSWORD '${PASSWORDS.alice}' IN ROLE pem_admin;
      CREATE ROLE bob LOGIN PASSWORD '${PASSWORDS.bob}' IN ROLE pem_user;
      CREATE ROLE carol LOGIN PASSWORD '${PASSWORDS.carol}';
      ${FLEET_SQL}`);
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
