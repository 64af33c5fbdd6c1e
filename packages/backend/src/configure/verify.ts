/**
 * `pharos agent verify` (docs/reference/pem-facts.md §2 "a verify-registration check"):
 * connects to the backend exactly as the agent does (its own connection
 * string, certificate and source address) and asks pem.agent_registration.
 *
 * Exit codes (docs/exit-codes.md): 0 registered and working; 1 configuration
 * problem (unusable TLS files, a certificate whose CN is not the agent user,
 * the backend refusing the agent's login, not registered or registered with
 * another user); 2 cannot connect (no backend reachable, no primary); 3 agent
 * inactive (marked inactive, or no heartbeat for longer than the limit:
 * registered but not running). Each problem has its catalogue code
 * (PHAROS_VERIFY_*, docs/errors.md), which carries that exit code.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnInfo } from '@pharos/core/conninfo/types';
import {
  ConfigError,
  type ErrorArgs,
  type ErrorCode,
  messageOf,
  PharosError,
  pharosError,
} from '@pharos/core/errors';
import { HaConnection } from '@pharos/core/ha/connection';
import { NoHostError } from '@pharos/core/ha/errors';

/** Outcome of a verification. */
export interface VerifyResult {
  /** The exit code `pharos agent verify` ends with: 0 working, 1 configuration, 2 cannot connect, 3 inactive. */
  exit: 0 | 1 | 2 | 3;
  /** The problem's catalogue code; undefined when the agent is registered and working. */
  code?: ErrorCode;
  message: string;
}

/** The result of a problem: `err`'s exit code, code and message. */
export function problemResult(err: PharosError): VerifyResult {
  return { exit: err.exitCode as VerifyResult['exit'], code: err.code, message: err.message };
}

/** The result of catalogue code `code` with its params. */
function problem<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): VerifyResult {
  return problemResult(pharosError(code, ...args));
}

/** What to verify. */
export interface VerifyRequest {
  agentId: number;
  agentUser: string;
  /** The agent's resolved backend connection (source_address included). */
  conninfo: ConnInfo;
  /** Heartbeats older than this, seconds, mean "inactive". */
  maxHeartbeatAgeS: number;
  /** Milliseconds for the whole check (connection and query). */
  deadlineMs?: number;
}

/** 1 when the client certificate's CN is not the agent user, else undefined. */
function certificateProblem(ci: ConnInfo, agentUser: string): VerifyResult | undefined {
  if (!ci.sslcert) return undefined;
  let cn: string | undefined;
  try {
    cn = /(?:^|\n)CN=([^\n]+)/.exec(new X509Certificate(readFileSync(ci.sslcert)).subject)?.[1];
  } catch (err) {
    return problem('PHAROS_VERIFY_CERTIFICATE_UNUSABLE', { path: ci.sslcert, reason: messageOf(err) });
  }
  if (cn !== agentUser) {
    return problem('PHAROS_VERIFY_CERTIFICATE_WRONG_USER', {
      path: ci.sslcert,
      commonName: cn ?? '(none)',
      user: agentUser,
    });
  }
  return undefined;
}

type Row = {
  registered: boolean;
  user_matches: boolean;
  active: boolean | null;
  heartbeat_age_s: number | null;
  server_bindings: number | null;
};

/** Runs the check (see the module note). Never throws. */
export async function verifyAgent(req: VerifyRequest): Promise<VerifyResult> {
  const bad = certificateProblem(req.conninfo, req.agentUser);
  if (bad) return bad;
  let conn: HaConnection;
  try {
    conn = new HaConnection({ conninfo: req.conninfo, queryTimeoutMs: req.deadlineMs ?? 20_000 });
  } catch (err) {
    return err instanceof PharosError ? problemResult(err) : problem('PHAROS_INTERNAL_UNEXPECTED');
  }
  let row: Row | undefined;
  try {
    row = (await conn.query<Row>('SELECT * FROM pem.agent_registration($1)', [req.agentId])).rows[0];
  } catch (err) {
    if (err instanceof NoHostError) {
      return err.retryable
        ? problem('PHAROS_VERIFY_UNREACHABLE', { reason: err.message })
        : problem('PHAROS_VERIFY_REFUSED', { id: req.agentId, user: req.agentUser, reason: err.message });
    }
    if (err instanceof ConfigError) return problemResult(err);
    const code = (err as { code?: string }).code;
    if (code === '42501') {
      return problem('PHAROS_VERIFY_NOT_PERMITTED', { user: req.agentUser, reason: messageOf(err) });
    }
    if (code === '42883' || code === '3F000' || code === '42P01') {
      return problem('PHAROS_VERIFY_NO_SCHEMA', { reason: messageOf(err) });
    }
    return problem('PHAROS_VERIFY_QUERY_FAILED', { reason: messageOf(err) });
  } finally {
    await conn.close().catch(() => {});
  }
  const agent = { id: req.agentId, user: req.agentUser };
  if (!row?.registered) return problem('PHAROS_VERIFY_NOT_REGISTERED', { id: req.agentId });
  if (!row.user_matches) return problem('PHAROS_VERIFY_OTHER_USER', agent);
  if (!row.active) return problem('PHAROS_VERIFY_MARKED_INACTIVE', agent);
  if (row.heartbeat_age_s === null) return problem('PHAROS_VERIFY_NO_HEARTBEAT', agent);
  const age = Math.round(row.heartbeat_age_s);
  if (row.heartbeat_age_s > req.maxHeartbeatAgeS) {
    return problem('PHAROS_VERIFY_HEARTBEAT_OLD', { ...agent, age, limit: req.maxHeartbeatAgeS });
  }
  return {
    exit: 0,
    message: `agent ${req.agentId} (${req.agentUser}) is registered and working: last heartbeat ${age} s ago, ${row.server_bindings ?? 0} server binding(s)`,
  };
}

/**
 * A lighter check right after registration (configure): can the agent log
 * in and does the backend know it? Resolves undefined when yes, else the
 * problem (configure reports it as a warning: the registration stands).
 */
export async function checkAgentLogin(
  req: Omit<VerifyRequest, 'maxHeartbeatAgeS'>,
): Promise<string | undefined> {
  const r = await verifyAgent({ ...req, maxHeartbeatAgeS: Number.POSITIVE_INFINITY });
  return r.exit === 0 || r.exit === 3 ? undefined : r.message;
}
