/**
 * The agents' checks: registrations and heartbeats from `pem.agent` on the
 * primary (one session on the multi-host list of every backend,
 * `target_session_attrs=read-write`), and each agent's client certificate:
 * the file its configuration names (`sslcert=` in `backend`) when readable
 * here, else the copy registered in `pem.agent_certificate`
 * (packages/backend/sql/migrations/002_registration.sql). Agents of
 * monitored hosts (enrolled with a token, or monitoring servers that are
 * not PEM backends: migration 010) are the fleet's, not leftovers.
 */
import { readFileSync } from 'node:fs';
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import { agentHosts, agentUser } from '../topology/hosts.js';
import { type AgentRow, evaluateAgents, findAgentRow, isFleetAgent } from './agents-evaluate.js';
import { evaluateCertificate, parseCertificate } from './certificate.js';
import type { CheckContext } from './context.js';
import { type CheckResult, reasonOf, result } from './result.js';
import { withSession } from './sql.js';

/** Every registered agent with its heartbeat age and newest unrevoked certificate. */
export const AGENTS_SQL = `
SELECT a.id, a.user_name, a.display_name, host(a.host_address) AS host_address, a.active, a.agent_version,
       extract(epoch FROM clock_timestamp() - a.last_heartbeat)::float8 AS heartbeat_age_s,
       (SELECT c.cert_pem FROM pem.agent_certificate c
         WHERE c.agent_id = a.id AND c.revoked_at IS NULL
         ORDER BY c.registered_at DESC LIMIT 1) AS cert_pem,
       EXISTS (SELECT 1 FROM pem.enrolment_token t WHERE t.used_by_agent = a.id) AS enrolled,
       (SELECT count(*)::int FROM pem.server_binding b JOIN pem.server s ON s.id = b.server_id
         WHERE b.agent_id = a.id AND NOT s.is_pem_backend) AS monitored_servers
  FROM pem.agent a ORDER BY a.id`;

type AgentHost = ReturnType<typeof agentHosts>[number];

/** The agent's certificate: from its configuration's sslcert file, else the registered copy; why not, when neither. */
function findCertificate(ctx: CheckContext, host: AgentHost, row: AgentRow | undefined) {
  const reasons: string[] = [];
  const cfg = ctx.configs.read(host, 'agent.yml');
  if (cfg.ok) {
    try {
      const sslcert = parseConninfo(String(cfg.doc.backend ?? ''), {}).sslcert;
      if (sslcert === undefined) reasons.push(`${cfg.path}: backend has no sslcert`);
      else {
        const path = ctx.configs.localPath(host, sslcert);
        try {
          return { cert: parseCertificate(readFileSync(path)), source: path };
        } catch (err) {
          reasons.push(`cannot read ${path}: ${reasonOf(err)}`);
        }
      }
    } catch (err) {
      reasons.push(`${cfg.path}: ${reasonOf(err)}`);
    }
  } else {
    reasons.push(cfg.reason);
  }
  if (row?.cert_pem) {
    try {
      return { cert: parseCertificate(row.cert_pem), source: 'the registered copy (pem.agent_certificate)' };
    } catch (err) {
      reasons.push(`registered certificate: ${reasonOf(err)}`);
    }
  }
  return { reasons };
}

function certificateLine(ctx: CheckContext, host: AgentHost, row: AgentRow | undefined): CheckResult {
  const found = findCertificate(ctx, host, row);
  if (!('cert' in found) || !found.cert) {
    return result(
      'agent',
      'agent.certificate',
      host.name,
      'warning',
      `could not be read: ${found.reasons.join('; ')}`,
      `give --config-dir DIR with ${host.name}/agent.yml and its certificate, or run the check on ${host.name}`,
    );
  }
  const v = evaluateCertificate(found.cert, {
    ca: ctx.ca,
    commonName: agentUser(ctx.topo, host.agentId),
    warningDays: ctx.expiryWarningDays,
    now: ctx.now(),
  });
  return result(
    'agent',
    'agent.certificate',
    host.name,
    v.status,
    `${v.measured} (${found.source})`,
    v.action,
  );
}

/** `agent.registration`, `agent.heartbeat` and `agent.certificate` for every planned agent. */
export async function checkAgents(ctx: CheckContext): Promise<CheckResult[]> {
  const hosts = agentHosts(ctx.topo);
  let rows: AgentRow[] | undefined;
  let out: CheckResult[];
  try {
    rows = await withSession(
      ctx,
      ctx.topo.backends.map((b) => b.address),
      'pem',
      'read-write',
      (q) => q<AgentRow>(AGENTS_SQL),
    );
    out = evaluateAgents(ctx.topo, rows, ctx.heartbeatMaxAgeS);
  } catch (err) {
    const why = `cannot run: pem.agent on the primary: ${reasonOf(err)} (as ${ctx.sql.origin})`;
    out = hosts.flatMap((h) => [
      result('agent', 'agent.registration', h.name, 'failed', why, 'see the patroni and postgresql checks'),
      result('agent', 'agent.heartbeat', h.name, 'failed', why, 'see the patroni and postgresql checks'),
    ]);
  }
  for (const h of hosts) out.push(certificateLine(ctx, h, rows && findAgentRow(rows, h)));
  // monitored hosts' agents: their registered certificate (their files are on their own hosts)
  const planned = new Set(hosts.map((h) => rows && findAgentRow(rows, h)?.id));
  for (const r of rows ?? []) {
    if (planned.has(r.id) || !isFleetAgent(r)) continue;
    if (!r.cert_pem) {
      out.push(
        result(
          'agent',
          'agent.certificate',
          r.display_name,
          'warning',
          'no certificate registered',
          're-enrol the host',
        ),
      );
      continue;
    }
    try {
      const v = evaluateCertificate(parseCertificate(r.cert_pem), {
        ca: ctx.ca,
        commonName: r.user_name,
        warningDays: ctx.expiryWarningDays,
        now: ctx.now(),
      });
      out.push(
        result(
          'agent',
          'agent.certificate',
          r.display_name,
          v.status,
          `${v.measured} (the registered copy)`,
          v.action,
        ),
      );
    } catch (err) {
      out.push(
        result(
          'agent',
          'agent.certificate',
          r.display_name,
          'failed',
          `registered certificate: ${reasonOf(err)}`,
        ),
      );
    }
  }
  return out;
}
