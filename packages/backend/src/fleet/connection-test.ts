/**
 * "Test connection" (issue 14): the contract of the `test-connection` agent
 * task, and running it from the web tier or the CLI. The agent that will
 * monitor the server connects exactly as its monitor would
 * (packages/agent/src/monitor/test-connection.ts) and answers with a
 * {@link TestConnectionResult}: the cause in a sentence when it fails. When
 * the agent does not answer, the result says so (`agent-unavailable`),
 * naming whether it is down.
 */
import type { Queryable } from '@pharos/core/query';
import { runAgentTask } from './agent-tasks.js';
import type { ServerConnection } from './servers.js';

/**
 * Why a test failed (the agent's connection-diagnosis.ts has the table of
 * what each means); `agent-unavailable` when the agent did not answer.
 */
export type ConnectionCause =
  | 'refused'
  | 'unreachable'
  | 'timeout'
  | 'no-hba-rule'
  | 'authentication'
  | 'no-password'
  | 'tls'
  | 'no-database'
  | 'not-postgresql'
  | 'no-pg-monitor'
  | 'agent-unavailable'
  | 'other';

/** Every cause, for schemas. */
export const CONNECTION_CAUSES: readonly ConnectionCause[] = [
  'refused',
  'unreachable',
  'timeout',
  'no-hba-rule',
  'authentication',
  'no-password',
  'tls',
  'no-database',
  'not-postgresql',
  'no-pg-monitor',
  'agent-unavailable',
  'other',
];

/** What the server is, once connected. */
export interface ServerFacts {
  version: string;
  versionNum: number;
  role: 'primary' | 'standby';
  tls: boolean;
  superuser: boolean;
  pgMonitor: boolean;
  pgStatStatements: boolean;
}

/** The answer of a test. */
export interface TestConnectionResult {
  ok: boolean;
  /** Set when `ok` is false. */
  cause?: ConnectionCause;
  /** One or two sentences: what happened and, on failure, what to do. Never a password. */
  message: string;
  detail?: string;
  sqlstate?: string;
  /** For `no-password`: the passfile line to add (the password as `<password>`). */
  passfileLine?: string;
  /** Things to improve that do not stop monitoring. */
  warnings: string[];
  server?: ServerFacts;
  elapsedMs: number;
}

/** How long the web tier or CLI waits for the agent's answer, ms (its connect_timeout is 3 s). */
export const TEST_WAIT_MS = 8000;

/**
 * The input field a failed test points at (a form shows the sentence next
 * to it): the address for what the network or the server's pg_hba.conf
 * answered, the user for authentication and privileges, sslmode for TLS,
 * the agent when it did not answer.
 */
export function fieldOfCause(cause: ConnectionCause | undefined): string | undefined {
  switch (cause) {
    case 'refused':
    case 'unreachable':
    case 'timeout':
    case 'not-postgresql':
    case 'no-hba-rule':
      return 'host';
    case 'authentication':
    case 'no-password':
    case 'no-pg-monitor':
      return 'user';
    case 'tls':
      return 'sslmode';
    case 'no-database':
      return 'maintenanceDb';
    case 'agent-unavailable':
      return 'agentId';
    default:
      return undefined;
  }
}

/**
 * Has agent `c.agentId` test the connection `c` (on behalf of `actor`).
 * Never fails for what the test finds: a failure is a result with its
 * cause. @throws PHAROS_AGENT_NOT_FOUND / PHAROS_TASK_INVALID (agentId) for
 * an unknown or inactive agent; the backend's errors otherwise.
 */
export async function testServerConnection(
  db: Queryable,
  actor: string,
  c: ServerConnection,
  waitMs: number = TEST_WAIT_MS,
): Promise<TestConnectionResult> {
  const t0 = Date.now();
  const outcome = await runAgentTask(
    db,
    actor,
    c.agentId,
    'test-connection',
    {
      host: c.host,
      port: c.port,
      maintenanceDb: c.maintenanceDb,
      user: c.user,
      sslmode: c.sslmode,
      sslrootcert: c.sslrootcert,
    },
    waitMs,
  );
  if (outcome.state === 'done') return outcome.result as TestConnectionResult;
  return {
    ok: false,
    cause: outcome.state === 'failed' ? 'other' : 'agent-unavailable',
    message:
      outcome.state === 'failed'
        ? `agent ${c.agentId} could not run the test: ${outcome.error}`
        : `The test did not run: ${outcome.message}`,
    warnings: [],
    elapsedMs: Date.now() - t0,
  };
}
