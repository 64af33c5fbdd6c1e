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
}

function agentFact(r: ServerDataRow): string {
  const age = `${r.agent_age_s!.toFixed(0)} s ago`;
  return r.agent_reported
    ? `agent ${r.agent_id} started ${age}`
    : `agent ${r.agent_id} registered ${age} and has shipped no agent_status yet`;
}

/**
 * `agent.server-data` per server (subject: its display name): ok when a
 * PostgreSQL probe sample is at most `maxAgeS` seconds old; a warning
 * ("not yet") when it is not but the bound agent started at most `maxAgeS`
 * seconds ago and no probe of the server failed in that time; failed
 * otherwise, naming the newest probe failure.
 */
export function evaluateServerData(rows: ServerDataRow[], maxAgeS: number): CheckResult[] {
  return rows.map((r) => {
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
    const action = `read the probe log of ${r.display_name} (web application, or pem.probe_log) and the agent's log; check the server binding's address, pg_hba.conf and the monitoring role's password`;
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
        'bind an agent to it (pem.server_binding), normally the agent on its host',
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
  });
}
