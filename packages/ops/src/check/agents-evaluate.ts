/**
 * Judges the agents' registrations and heartbeats (pure) from the rows of
 * `pem.agent` (packages/backend/sql/migrations/001_initial.sql: id,
 * user_name, display_name = the host's name, active, last_heartbeat; the
 * agent calls pem.agent_heartbeat every probe interval) against the
 * topology's agents (topology/hosts.ts `agentHosts`: ids 1..N, backends then
 * web applications, user `agentN` or the common agent user).
 */
import { agentHosts, agentUser } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';
import { type CheckResult, result } from './result.js';

/** A row of pem.agent as the check reads it. */
export interface AgentRow {
  id: number;
  user_name: string;
  display_name: string;
  host_address: string | null;
  active: boolean;
  agent_version: string | null;
  /** Seconds since the last heartbeat (the backend's clock), null when none yet. */
  heartbeat_age_s: number | null;
  /** The newest unrevoked certificate the agent registered with (pem.agent_certificate), PEM. */
  cert_pem: string | null;
  /** Enrolled with a one-time token (pem.enrolment_token.used_by_agent): a monitored host's agent. */
  enrolled?: boolean;
  /** Monitored servers (not PEM backends) bound to it. */
  monitored_servers?: number;
}

/** True for the agent of a monitored host: enrolled with a token, or monitoring servers of the fleet. */
export function isFleetAgent(r: AgentRow): boolean {
  return r.enrolled === true || (r.monitored_servers ?? 0) > 0;
}

/** The row of a planned agent: by display name (the host name), else by the planned id. */
export function findAgentRow(
  rows: AgentRow[],
  host: { name: string; agentId: number },
): AgentRow | undefined {
  return rows.find((r) => r.display_name === host.name) ?? rows.find((r) => r.id === host.agentId);
}

/**
 * Per planned agent (subject = its host): `agent.registration` (registered,
 * with the planned user, active; a different id than planned is a warning
 * with per-agent certificates) and `agent.heartbeat` (last heartbeat at
 * most `maxAgeS` seconds old). Registered agents the topology does not
 * know are monitored hosts' agents when they were enrolled with a token or
 * monitor servers of the fleet ({@link isFleetAgent}): they get the same
 * two checks under their display name; any other gets an
 * `agent.registration` warning (a leftover).
 */
export function evaluateAgents(topo: Topology, rows: AgentRow[], maxAgeS: number): CheckResult[] {
  const out: CheckResult[] = [];
  const planned = agentHosts(topo);
  const used = new Set<number>();
  for (const h of planned) {
    const user = agentUser(topo, h.agentId);
    const row = findAgentRow(rows, h);
    if (!row) {
      const action = `register it: run pharos configure on ${h.name} (configure.sh of the plan)`;
      out.push(
        result(
          'agent',
          'agent.registration',
          h.name,
          'failed',
          `agent ${h.agentId} (${user}) is not registered`,
          action,
        ),
      );
      out.push(result('agent', 'agent.heartbeat', h.name, 'failed', 'no heartbeat: not registered', action));
      continue;
    }
    used.add(row.id);
    const facts = `agent ${row.id}, user ${row.user_name}, ${row.active ? 'active' : 'inactive'}, version ${row.agent_version ?? '?'}`;
    if (row.user_name !== user) {
      out.push(
        result(
          'agent',
          'agent.registration',
          h.name,
          'failed',
          `registered with user ${row.user_name}, planned ${user} (${facts})`,
          `re-register ${h.name} with user ${user} (pharos agent register --force on that host)`,
        ),
      );
    } else if (!row.active) {
      out.push(
        result(
          'agent',
          'agent.registration',
          h.name,
          'failed',
          facts,
          `activate agent ${row.id} (UPDATE pem.agent SET active = true) or find why it was disabled`,
        ),
      );
    } else if (topo.agent_certificates === 'per-agent' && row.id !== h.agentId) {
      out.push(
        result(
          'agent',
          'agent.registration',
          h.name,
          'warning',
          `registered as agent ${row.id}, planned ${h.agentId} (${facts})`,
          'harmless for monitoring; re-register with -aro agent_id to match the plan',
        ),
      );
    } else {
      out.push(result('agent', 'agent.registration', h.name, 'ok', facts));
    }
    out.push(heartbeatResult(h.name, row.heartbeat_age_s, maxAgeS, `on ${h.name}`));
  }
  for (const r of rows) {
    if (used.has(r.id)) continue;
    if (isFleetAgent(r)) {
      // a monitored host's agent (docs/monitoring-a-server.md): registered and beating, like the planned ones
      const facts = `monitored host's agent ${r.id}, user ${r.user_name}${r.host_address ? `, ${r.host_address}` : ''}, ${r.monitored_servers ?? 0} server(s)${r.enrolled ? ', enrolled with a token' : ''}, version ${r.agent_version ?? '?'}`;
      out.push(
        r.active
          ? result('agent', 'agent.registration', r.display_name, 'ok', facts)
          : result(
              'agent',
              'agent.registration',
              r.display_name,
              'failed',
              `${facts}, inactive`,
              `activate agent ${r.id} or unregister it (pharos agent unregister --agent-id ${r.id} --url ...)`,
            ),
      );
      out.push(heartbeatResult(r.display_name, r.heartbeat_age_s, maxAgeS, `on ${r.display_name}`));
      continue;
    }
    out.push(
      result(
        'agent',
        'agent.registration',
        r.display_name,
        'warning',
        `agent ${r.id} (${r.display_name}, user ${r.user_name}) is registered but not in the topology and monitors no server`,
        `unregister it (pharos agent unregister --agent-id ${r.id}) if the host is gone`,
      ),
    );
  }
  return out;
}

/** `agent.heartbeat` of one agent: its last heartbeat at most `maxAgeS` seconds old. */
function heartbeatResult(subject: string, age: number | null, maxAgeS: number, where: string): CheckResult {
  const start = `start the agent ${where} (systemctl start pharos-agent) and read its log`;
  if (age === null)
    return result('agent', 'agent.heartbeat', subject, 'failed', 'no heartbeat ever received', start);
  if (age > maxAgeS) {
    return result(
      'agent',
      'agent.heartbeat',
      subject,
      'failed',
      `last heartbeat ${age.toFixed(0)} s ago (max ${maxAgeS} s)`,
      start,
    );
  }
  return result(
    'agent',
    'agent.heartbeat',
    subject,
    'ok',
    `last heartbeat ${age.toFixed(1)} s ago (max ${maxAgeS} s)`,
  );
}
