/**
 * Judges whether each monitored PostgreSQL server is really being monitored
 * (pure): an agent can be registered and heartbeating while every probe of
 * its server fails (wrong address, refused by pg_hba.conf, wrong password).
 * Rows come from `pemdata.latest` (the newest sample per probe and object)
 * and `pem.probe_log` (probe failures), see server-data.ts.
 */
import { type CheckResult, result } from './result.js';

/** A monitored server as the check reads it. */
export interface ServerDataRow {
  display_name: string;
  /** Seconds since the newest sample of a PostgreSQL probe (not server_up, not patroni_*), null when none. */
  sql_age_s: number | null;
  /** The newest probe failure of the server in the last `maxAgeS` seconds, null when none. */
  last_error: string | null;
  last_error_probe: string | null;
}

/**
 * `agent.server-data` per server (subject: its display name): ok when a
 * PostgreSQL probe sample is at most `maxAgeS` seconds old; failed otherwise,
 * naming the newest probe failure.
 */
export function evaluateServerData(rows: ServerDataRow[], maxAgeS: number): CheckResult[] {
  return rows.map((r) => {
    const failure = r.last_error ? `; newest failure (${r.last_error_probe}): ${r.last_error}` : '';
    const action = `read the probe log of ${r.display_name} (web application, or pem.probe_log) and the agent's log; check the server binding's address, pg_hba.conf and the monitoring role's password`;
    if (r.sql_age_s === null) {
      return result(
        'agent',
        'agent.server-data',
        r.display_name,
        'failed',
        `no PostgreSQL probe data yet${failure}`,
        action,
      );
    }
    if (r.sql_age_s > maxAgeS) {
      return result(
        'agent',
        'agent.server-data',
        r.display_name,
        'failed',
        `newest PostgreSQL probe sample ${r.sql_age_s.toFixed(0)} s old (max ${maxAgeS} s)${failure}`,
        action,
      );
    }
    return result(
      'agent',
      'agent.server-data',
      r.display_name,
      'ok',
      `newest PostgreSQL probe sample ${r.sql_age_s.toFixed(1)} s old`,
    );
  });
}
