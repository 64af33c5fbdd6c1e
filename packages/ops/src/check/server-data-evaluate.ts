/**
 * Judges whether each monitored PostgreSQL server is really being monitored
 * (pure): an agent can be registered and heartbeating while every probe of
 * its server fails (wrong address, refused by pg_hba.conf, wrong password).
 * Rows come from `pemdata.latest` (the newest sample per probe and object),
 * `pem.probe_log` (probe failures) and the bound agent's `agent_status`
 * samples (its uptime), see server-data.ts.
 *
 * "Not yet" and "broken" differ: an agent's first server probe cycle follows
 * its first binding sync, so a server whose agent started less than
 * `maxAgeS` seconds ago and whose probes have not failed is a warning;
 * stale or missing data with a probe failure, or long after the agent
 * started, is a failure naming the newest probe failure.
 */
import { type CheckResult, result } from './result.js';

/** A monitored server as the check reads it. */
export interface ServerDataRow {
  display_name: string;
  /** The agent bound to the server (`pem.server_binding`), null when none is. */
  agent_id: number | null;
  /** Seconds since the newest sample of a PostgreSQL probe (not server_up, not patroni_*), null when none. */
  sql_age_s: number | null;
  /** The newest probe failure of the server in the last `maxAgeS` seconds, null when none. */
  last_error: string | null;
  last_error_probe: string | null;
  /**
   * Seconds since the bound agent started (its newest `agent_status`:
   * collection time minus `uptime_s`), or since it was registered when none
   * has arrived; null when no agent is bound.
   */
  agent_age_s: number | null;
  /** True when `agent_age_s` comes from the agent's own `agent_status`, false when from its registration. */
  agent_reported: boolean | null;
  /** The fleet's columns (server-data.ts); absent in older callers' rows. */
  agent_name?: string | null;
  is_pem_backend?: boolean;
  /** Newest server_up of its agent: 1 reachable, 0 not (with the error), its age in seconds; null when none. */
  up?: number | null;
  up_error?: string | null;
  up_age_s?: number | null;
  /** The server_up probe's interval (pem.probe), seconds: a newer sample is not due before it passes. */
  up_interval_s?: number | null;
  /** Newest role its agent observed (server_info), null when none. */
  role?: string | null;
}

function agentFact(r: ServerDataRow): string {
  const age = `${r.agent_age_s!.toFixed(0)} s ago`;
  return r.agent_reported
    ? `agent ${r.agent_id} started ${age}`
    : `agent ${r.agent_id} registered ${age} and has shipped no agent_status yet`;
}

/**
 * Per server (subject: its display name): `agent.server-data` and, with
 * the fleet's columns, `agent.server-reachable` and `agent.server-role`
 * ({@link fleetResults}). `agent.server-data`: ok when a
 * PostgreSQL probe sample is at most `maxAgeS` seconds old; a warning
 * ("not yet") when it is not but the bound agent started at most `maxAgeS`
 * seconds ago and no probe of the server failed in that time; failed
 * otherwise, naming the newest probe failure.
 */
export function evaluateServerData(rows: ServerDataRow[], maxAgeS: number): CheckResult[] {
  return rows.flatMap((r) => [dataResult(r, maxAgeS), ...fleetResults(r, maxAgeS)]);
}

function dataResult(r: ServerDataRow, maxAgeS: number): CheckResult {
  if (r.sql_age_s !== null && r.sql_age_s <= maxAgeS) {
    return result(
      'agent',
      'agent.server-data',
      r.display_name,
      'ok',
      `newest PostgreSQL probe sample ${r.sql_age_s.toFixed(1)} s old`,
    );
  }
  const data =
    r.sql_age_s === null
      ? 'no PostgreSQL probe data yet'
      : `newest PostgreSQL probe sample ${r.sql_age_s.toFixed(0)} s old (max ${maxAgeS} s)`;
  const action = `read the probe log of ${r.display_name} (web application, or pem.probe_log) and the agent's log; check the server binding's address, pg_hba.conf and the monitoring role's password (pharos server test ${r.display_name})`;
  if (r.last_error) {
    return result(
      'agent',
      'agent.server-data',
      r.display_name,
      'failed',
      `${data}; newest failure (${r.last_error_probe}): ${r.last_error}`,
      action,
    );
  }
  if (r.agent_id === null || r.agent_age_s === null) {
    return result(
      'agent',
      'agent.server-data',
      r.display_name,
      'failed',
      `${data}; no agent is bound to it`,
      `give it an agent (pharos server set ${r.display_name} --agent ...) or remove it (pharos server remove ${r.display_name})`,
    );
  }
  if (r.agent_age_s <= maxAgeS) {
    return result(
      'agent',
      'agent.server-data',
      r.display_name,
      'warning',
      `${data}; ${agentFact(r)} (first data due within ${maxAgeS} s of its start)`,
      'not yet: run the check again in a minute',
    );
  }
  return result('agent', 'agent.server-data', r.display_name, 'failed', `${data}; ${agentFact(r)}`, action);
}

/**
 * `agent.server-reachable` and `agent.server-role` (rows that carry the
 * fleet's columns, server-data.ts): the server's agent reached it on its
 * newest `server_up`, no older than `maxAgeS` or two of that probe's
 * intervals (whichever is longer: it runs at its own interval), and
 * observed its role.
 */
function fleetResults(r: ServerDataRow, maxAgeS: number): CheckResult[] {
  if (r.up === undefined || r.agent_id === null) return [];
  const by = `agent ${r.agent_id} (${r.agent_name ?? '?'})`;
  const out: CheckResult[] = [];
  const test = `pharos server test ${r.display_name} names the cause`;
  const limit = Math.max(maxAgeS, 2 * (r.up_interval_s ?? 0));
  // as agent.server-data: its agent started moments ago and nothing failed yet
  const notYet = r.agent_age_s !== null && r.agent_age_s <= maxAgeS && !r.last_error;
  if (r.up === null || r.up_age_s === null || r.up_age_s === undefined) {
    out.push(
      result(
        'agent',
        'agent.server-reachable',
        r.display_name,
        notYet ? 'warning' : 'failed',
        `${by} has not probed it yet`,
        notYet ? 'not yet: run the check again in a minute' : test,
      ),
    );
  } else if (r.up_age_s > limit) {
    out.push(
      result(
        'agent',
        'agent.server-reachable',
        r.display_name,
        'failed',
        `${by} last probed it ${r.up_age_s.toFixed(0)} s ago (max ${limit} s)`,
        `is ${by} running? (pharos agent list)`,
      ),
    );
  } else if (r.up !== 1) {
    out.push(
      result(
        'agent',
        'agent.server-reachable',
        r.display_name,
        'failed',
        `unreachable from ${by}: ${r.up_error ?? '?'}`,
        test,
      ),
    );
  } else {
    out.push(result('agent', 'agent.server-reachable', r.display_name, 'ok', `reachable from ${by}`));
  }
  out.push(
    r.role === 'primary' || r.role === 'standby'
      ? result(
          'agent',
          'agent.server-role',
          r.display_name,
          'ok',
          `${r.role}${r.is_pem_backend ? ' (PEM backend)' : ''}`,
        )
      : result(
          'agent',
          'agent.server-role',
          r.display_name,
          notYet ? 'warning' : 'failed',
          `no role observed yet by ${by}`,
          notYet
            ? 'not yet: run the check again in a minute'
            : `see agent.server-data and agent.server-reachable of ${r.display_name}`,
        ),
  );
  return out;
}
