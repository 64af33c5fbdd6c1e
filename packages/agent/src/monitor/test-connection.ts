/**
 * "Test connection" (issue 14): connects to a PostgreSQL server from this
 * agent exactly as its monitor would (probe-session.ts
 * `probeConnectionOptions`: the same connection string, passfile, CA file,
 * source address and session settings), checks what monitoring needs, and
 * answers with a verdict a DBA can act on (connection-diagnosis.ts).
 *
 * Checked once connected, in one statement: the server's version and role
 * (`pg_is_in_recovery()`), whether the session uses TLS (`pg_stat_ssl`),
 * whether the role is a member of `pg_monitor` (`pg_has_role(current_user,
 * 'pg_monitor', 'member')`; PostgreSQL documentation §22.5 "Predefined
 * Roles": the privileges the probes need), whether it is a superuser, and
 * whether `pg_stat_statements` is installed in the maintenance database.
 * A role without pg_monitor fails the test (`no-pg-monitor`); a superuser
 * role or a missing pg_stat_statements are warnings.
 */
import type { ServerFacts, TestConnectionResult } from '@pharos/backend/fleet/connection-test';
import { pharosError } from '@pharos/core/errors';
import { HaConnection } from '@pharos/core/ha/connection';
import { createLogger, type Logger } from '@pharos/core/log';
import { z } from 'zod';
import type { Binding } from './bindings.js';
import { diagnoseConnectionError } from './connection-diagnosis.js';
import { probeConnectionOptions } from './probe-session.js';

/** What to test: the server as it will be bound (host, port, database, user, TLS). */
export interface TestConnectionTarget {
  host: string;
  port: number;
  maintenanceDb: string;
  user: string;
  /** libpq sslmode (verify-full unless the DBA chose otherwise). */
  sslmode: string;
  /** CA file on the agent's host for this server; default the agent's `server_sslrootcert`. */
  sslrootcert?: string;
}

/** The agent's side of the test: what its configuration says. */
export interface TestConnectionContext {
  agentId: number;
  passfile?: string;
  /** The agent's `server_sslrootcert`. */
  sslrootcert?: string;
  sourceAddress?: string;
  hostAddress?: string;
  /** connect_timeout, seconds (default 3). */
  connectTimeoutS?: number;
  logger?: Logger;
  /** HOME for libpq's defaults (~/.pgpass, ~/.postgresql/root.crt); default process.env.HOME. */
  home?: string;
}

export type { ServerFacts, TestConnectionResult } from '@pharos/backend/fleet/connection-test';

/** Default connect_timeout of a test, seconds: an answer within the API's wait. */
export const TEST_CONNECT_TIMEOUT_S = 3;

const FACTS_SQL = `SELECT pg_catalog.version() AS version,
  pg_catalog.current_setting('server_version_num')::int AS version_num,
  pg_catalog.pg_is_in_recovery() AS in_recovery,
  coalesce((SELECT s.ssl FROM pg_catalog.pg_stat_ssl s WHERE s.pid = pg_catalog.pg_backend_pid()), false) AS tls,
  (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) AS superuser,
  pg_catalog.pg_has_role(current_user, 'pg_monitor', 'member') AS pg_monitor,
  EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_stat_statements') AS pgss`;

type FactsRow = {
  version: string;
  version_num: number;
  in_recovery: boolean;
  tls: boolean;
  superuser: boolean;
  pg_monitor: boolean;
  pgss: boolean;
};

/** Runs the test (module note). Never throws: every failure is a verdict. */
export async function testConnection(
  target: TestConnectionTarget,
  ctx: TestConnectionContext,
): Promise<TestConnectionResult> {
  const started = Date.now();
  const connectTimeoutS = ctx.connectTimeoutS ?? TEST_CONNECT_TIMEOUT_S;
  const binding: Binding = {
    serverId: 0,
    displayName: `${target.host}:${target.port}`,
    host: target.host,
    port: target.port,
    userName: target.user,
    sslmode: target.sslmode,
    maintenanceDb: target.maintenanceDb,
    sslrootcert: target.sslrootcert,
  };
  const session = {
    agentId: ctx.agentId,
    binding,
    passfile: ctx.passfile,
    sslrootcert: ctx.sslrootcert,
    sourceAddress: ctx.sourceAddress,
    hostAddress: ctx.hostAddress,
    connectTimeoutS,
    logger: ctx.logger ?? silentLogger,
  };
  const home = ctx.home ?? process.env.HOME ?? '';
  const attempt = {
    host: target.host,
    port: target.port,
    user: target.user,
    dbname: target.maintenanceDb,
    sslmode: target.sslmode,
    passfile: ctx.passfile ?? `${home}/.pgpass`,
    sslrootcert: target.sslrootcert ?? ctx.sslrootcert,
    sourceAddress: ctx.sourceAddress ?? ctx.hostAddress,
    connectTimeoutS,
  };
  const failed = (err: unknown): TestConnectionResult => {
    const d = diagnoseConnectionError(err, attempt);
    return { ok: false, warnings: [], elapsedMs: Date.now() - started, ...d };
  };
  let conn: HaConnection;
  try {
    const opts = probeConnectionOptions(session);
    conn = new HaConnection({ ...opts, env: { ...process.env, HOME: home } });
  } catch (err) {
    return failed(err);
  }
  let row: FactsRow;
  try {
    row = (await conn.query<FactsRow>(FACTS_SQL, [], { deadlineMs: connectTimeoutS * 1000 + 2000 })).rows[0]!;
  } catch (err) {
    return failed(err);
  } finally {
    await conn.close();
  }
  const server: ServerFacts = {
    version: row.version,
    versionNum: Number(row.version_num),
    role: row.in_recovery ? 'standby' : 'primary',
    tls: row.tls,
    superuser: row.superuser,
    pgMonitor: row.pg_monitor,
    pgStatStatements: row.pgss,
  };
  const elapsedMs = Date.now() - started;
  const where = `${target.host}:${target.port}`;
  if (!server.pgMonitor) {
    return {
      ok: false,
      cause: 'no-pg-monitor',
      message: `Connected to ${where} as ${target.user}, but ${target.user} is not a member of pg_monitor: the probes cannot read the statistics. On the server: GRANT pg_monitor TO ${target.user};`,
      warnings: [],
      server,
      elapsedMs,
    };
  }
  const warnings: string[] = [];
  if (server.superuser)
    warnings.push(
      `${target.user} is a superuser: a monitoring role needs only pg_monitor (CREATE ROLE ... LOGIN IN ROLE pg_monitor)`,
    );
  if (!server.pgStatStatements)
    warnings.push(
      `pg_stat_statements is not installed in ${target.maintenanceDb}: the statements probes stay empty (optional: shared_preload_libraries and CREATE EXTENSION pg_stat_statements)`,
    );
  if (!server.tls) warnings.push(`the connection does not use TLS (sslmode=${target.sslmode})`);
  else if (target.sslmode !== 'verify-full')
    warnings.push(`sslmode=${target.sslmode} does not check that the certificate names ${target.host}`);
  return {
    ok: true,
    message: `Connected to ${where} as ${target.user} (PostgreSQL ${majorText(server.versionNum)}, ${server.role}${server.tls ? ', TLS' : ''}) in ${elapsedMs} ms; ${target.user} is a member of pg_monitor.`,
    warnings,
    server,
    elapsedMs,
  };
}

function majorText(num: number): string {
  return num >= 100000
    ? String(Math.floor(num / 10000))
    : `${Math.floor(num / 10000)}.${Math.floor(num / 100) % 100}`;
}

const silentLogger: Logger = createLogger('agent', { level: 'silent' });

const paramsSchema = z
  .object({
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535),
    maintenanceDb: z.string().min(1).max(63),
    user: z.string().min(1).max(63),
    sslmode: z.enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']),
    sslrootcert: z.string().min(1).nullish(),
  })
  .strict();

/**
 * The parameters of a `test-connection` task (what the web tier puts in
 * pem.agent_task.params: the server as it will be bound).
 * @throws InputError naming each bad field.
 */
export function parseTestConnectionParams(params: unknown): TestConnectionTarget {
  const r = paramsSchema.safeParse(params);
  if (!r.success) {
    throw pharosError('PHAROS_TASK_PARAMS_INVALID', {
      task: 'test-connection',
      problems: r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; '),
    });
  }
  const { sslrootcert, ...rest } = r.data;
  return sslrootcert ? { ...rest, sslrootcert } : rest;
}
