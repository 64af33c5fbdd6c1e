/**
 * Test helpers for configure and agent registration (integration tests):
 * running the CLI as the operator does (`node packages/cli/bin/pharos.js
 * ...`), and a snapshot of everything configure may change on a backend, to
 * show that a failed run changed nothing and a second run changes nothing.
 */
import { spawn } from 'node:child_process';
import { PHAROS_BIN } from '../commands/configure/options.js';

/** The CLI's entry point (`bin/pharos.js`), as the operator runs it. */
export { PHAROS_BIN };

/** Result of one CLI run. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `pharos <args>` with `env` added to a minimal environment (PATH,
 * HOME; no PG* of the caller). Resolves when it exits (timeout 120 s).
 */
export function runPharos(args: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', PHAROS_BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Cluster-wide state configure may touch: databases, roles (not pg_*), memberships, template1's ACL. */
export const CLUSTER_SNAPSHOT_SQL = `
SELECT json_build_object(
  'databases', (SELECT json_agg(datname ORDER BY datname) FROM pg_database),
  'roles', (SELECT json_agg(json_build_object('name', rolname, 'login', rolcanlogin, 'super', rolsuper,
                   'password', rolpassword, 'comment', shobj_description(oid, 'pg_authid')) ORDER BY rolname)
              FROM pg_authid WHERE rolname !~ '^pg_'),
  'members', (SELECT json_agg(g.rolname || ' > ' || u.rolname ORDER BY g.rolname, u.rolname)
                FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
               WHERE g.rolname !~ '^pg_'),
  'template1_acl', (SELECT datacl::text FROM pg_database WHERE datname = 'template1')
)::text AS s`;

/**
 * State of database pem configure may touch (registration rows without the
 * columns running agents change: heartbeats, versions, drop counts), the
 * schema version and the number of relations (a standby's step adds none).
 */
export const PEM_SNAPSHOT_SQL = `
SELECT json_build_object(
  'versions', (SELECT json_agg(version ORDER BY version) FROM public.pharos_schema_version),
  'relations', (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname IN ('pem', 'pemdata', 'pemhistory')),
  'agents', (SELECT json_agg(json_build_object('id', id, 'user', user_name, 'name', display_name,
                   'host', host(host_address), 'active', active, 'registered_at', registered_at) ORDER BY id) FROM pem.agent),
  'servers', (SELECT json_agg(s ORDER BY s.id) FROM pem.server s),
  'bindings', (SELECT json_agg(b ORDER BY b.server_id) FROM pem.server_binding b),
  'certificates', (SELECT json_agg(c ORDER BY c.agent_id, c.fingerprint_sha256) FROM pem.agent_certificate c),
  'ca_signer', (SELECT json_agg(x) FROM pem.ca_signer x)
)::text AS s`;

/** Runs a statement and returns the first column of the first row. */
export type ScalarQuery = (sql: string, db: 'postgres' | 'pem') => Promise<string>;

/**
 * A snapshot (JSON text) of the backend: cluster state, plus database pem's
 * when it exists.
 */
export async function backendSnapshot(query: ScalarQuery): Promise<string> {
  const cluster = await query(CLUSTER_SNAPSHOT_SQL, 'postgres');
  const hasPem =
    (await query("SELECT count(*)::text FROM pg_database WHERE datname = 'pem'", 'postgres')) === '1';
  const pem = hasPem ? await query(PEM_SNAPSHOT_SQL, 'pem') : 'null';
  return JSON.stringify({ cluster: JSON.parse(cluster), pem: JSON.parse(pem) }, null, 1);
}
