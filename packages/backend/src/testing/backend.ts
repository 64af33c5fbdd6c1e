/**
 * Test support for alerting: a throw-away `pem` database on a real
 * PostgreSQL (startPostgres), migrated, with agents (login roles with a
 * password, members of pem_agent, standing in for certificate users) and
 * servers registered the way `pharos configure` does (so the default alert
 * bindings are made by the registration triggers).
 * Migrations: testing/migrations.ts.
 */
import { HaConnection } from '@pharos/core/ha/connection';
import { startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { migrate } from '../migrations/run.js';

/** Password of every test agent role. */
export const TEST_AGENT_PASSWORD = 'agent-test-pw';

/** A migrated test backend. */
export interface AlertBackend {
  pg: TestPostgres;
  /** Superuser connection to `pem`. */
  admin: HaConnection;
  /** Runs SQL as the superuser and returns the rows. */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Registers agent `id` (role agent<id>) and returns its id. `backend`: also a backend server bound to it. */
  addAgent(id: number, opts?: { backend?: boolean; name?: string }): Promise<number>;
  /** Registers a server bound to `agentId`; returns its id. */
  addServer(name: string, agentId: number, opts?: { backend?: boolean }): Promise<number>;
  /** A new connection as agent `id`'s database user (closed by stop()). */
  agentConn(id: number, opts?: { queryTimeoutMs?: number }): HaConnection;
  /** A new connection as `user` with `password` (closed by stop()). */
  connAs(user: string, password: string): HaConnection;
  stop(): Promise<void>;
}

/** Starts PostgreSQL on `address`, creates and migrates `pem`. */
export async function startAlertBackend(opts: {
  address: string;
  settings?: Record<string, string>;
}): Promise<AlertBackend> {
  const pg = await startPostgres({
    address: opts.address,
    settings: { max_connections: '100', ...(opts.settings ?? {}) },
  });
  const conns: HaConnection[] = [];
  try {
    await pg.psql('CREATE DATABASE pem');
    const admin = new HaConnection({ conninfo: pg.conninfo('postgres', 'pem'), queryTimeoutMs: 120_000 });
    conns.push(admin);
    await migrate((fn) => admin.transaction(fn));
    const sql = async <R>(text: string, params?: unknown[]) => (await admin.query<R>(text, params)).rows;
    const connAs = (user: string, password: string, queryTimeoutMs = 30_000) => {
      const c = new HaConnection({
        conninfo: `host=${opts.address} port=${pg.port} dbname=pem user=${user} password=${password} application_name=pharos-alert-test`,
        queryTimeoutMs,
      });
      conns.push(c);
      return c;
    };
    const addServer = async (name: string, agentId: number, o: { backend?: boolean } = {}) => {
      const [row] = await sql<{ id: number }>(
        'INSERT INTO pem.server (display_name, host, port, is_pem_backend) VALUES ($1, $2, 5432, $3) RETURNING id',
        [name, opts.address, o.backend ?? false],
      );
      await sql(
        'INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name) VALUES ($1, $2, $3, 5432, $4)',
        [row!.id, agentId, opts.address, 'pharos_monitor'],
      );
      return row!.id;
    };
    return {
      pg,
      admin,
      sql,
      connAs: (u, p) => connAs(u, p),
      agentConn: (id, o) => connAs(`agent${id}`, TEST_AGENT_PASSWORD, o?.queryTimeoutMs),
      addServer,
      async addAgent(id, o = {}) {
        await sql(
          `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'agent${id}') THEN
             CREATE ROLE agent${id} LOGIN PASSWORD '${TEST_AGENT_PASSWORD}' IN ROLE pem_agent; END IF; END $$`,
        );
        await sql(
          'INSERT INTO pem.agent (id, user_name, display_name, last_heartbeat) VALUES ($1, $2, $3, now())',
          [id, `agent${id}`, o.name ?? `host-${id}`],
        );
        if (o.backend) await addServer(`backend-${id}`, id, { backend: true });
        return id;
      },
      async stop() {
        for (const c of conns) await c.close().catch(() => {});
        await pg.stop();
      },
    };
  } catch (err) {
    for (const c of conns) await c.close().catch(() => {});
    await pg.stop();
    throw err;
  }
}
