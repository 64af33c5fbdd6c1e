/**
 * `pharos agent verify` (docs/reference/pem-facts.md §2 "a verify-registration check"):
 * connects to the backend exactly as the agent does (its own connection
 * string, certificate and source address) and asks pem.agent_registration.
 *
 * Exit codes: 0 registered and working; 1 configuration problem (unusable
 * TLS files, a certificate whose CN is not the agent user, the backend
 * refusing the agent's login, not registered or registered with another
 * user); 2 cannot connect (no backend reachable, no primary); 3 agent
 * inactive (marked inactive, or no heartbeat for longer than the limit:
 * registered but not running).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnInfo } from '@pharos/core/conninfo/types';
import { ConfigError, messageOf } from '@pharos/core/errors';
import { HaConnection } from '@pharos/core/ha/connection';
import { NoHostError } from '@pharos/core/ha/errors';

/** Outcome of a verification. */
export interface VerifyResult {
  code: 0 | 1 | 2 | 3;
  message: string;
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
    return { code: 1, message: `the agent's certificate ${ci.sslcert} cannot be used: ${messageOf(err)}` };
  }
  if (cn !== agentUser) {
    return {
      code: 1,
      message: `the agent's certificate ${ci.sslcert} has CN '${cn ?? '(none)'}', but agent_user is '${agentUser}'`,
    };
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
    return { code: 1, message: messageOf(err) };
  }
  let row: Row | undefined;
  try {
    row = (await conn.query<Row>('SELECT * FROM pem.agent_registration($1)', [req.agentId])).rows[0];
  } catch (err) {
    if (err instanceof NoHostError) {
      return err.retryable
        ? { code: 2, message: `cannot connect to the backend: ${err.message}` }
        : { code: 1, message: `the backend refused agent ${req.agentId} (${req.agentUser}): ${err.message}` };
    }
    if (err instanceof ConfigError) return { code: 1, message: err.message };
    const code = (err as { code?: string }).code;
    if (code === '42501') {
      return {
        code: 1,
        message: `${req.agentUser} may not ask for its registration (is it a member of pem_agent?): ${messageOf(err)}`,
      };
    }
    if (code === '42883' || code === '3F000' || code === '42P01') {
      return {
        code: 1,
        message: `the backend has no Pharos registration schema (configure the primary first): ${messageOf(err)}`,
      };
    }
    return { code: 2, message: `cannot query the backend: ${messageOf(err)}` };
  } finally {
    await conn.close().catch(() => {});
  }
  if (!row?.registered) return { code: 1, message: `agent ${req.agentId} is not registered` };
  if (!row.user_matches) {
    return {
      code: 1,
      message: `agent ${req.agentId} is registered with another database user than ${req.agentUser}`,
    };
  }
  if (!row.active)
    return { code: 3, message: `agent ${req.agentId} (${req.agentUser}) is registered but marked inactive` };
  if (row.heartbeat_age_s === null) {
    return {
      code: 3,
      message: `agent ${req.agentId} (${req.agentUser}) is registered but has never sent a heartbeat (is it running?)`,
    };
  }
  const age = Math.round(row.heartbeat_age_s);
  if (row.heartbeat_age_s > req.maxHeartbeatAgeS) {
    return {
      code: 3,
      message: `agent ${req.agentId} (${req.agentUser}) is registered but inactive: last heartbeat ${age} s ago (limit ${req.maxHeartbeatAgeS} s)`,
    };
  }
  return {
    code: 0,
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
  return r.code === 0 || r.code === 3 ? undefined : r.message;
}
