/**
 * Test and benchmark support: the per-alert evaluation path as it was before
 * evaluation was batched (2026-12-07), kept as an oracle. It installs
 * `pem.evaluate_due_alerts_per_alert(agent id, limit, alert id)`, the old
 * `pem.evaluate_due_alerts` loop: the same claim, then
 * `pem.evaluate_alert_locked` for each alert, which runs its template alone
 * (one EXECUTE, planned per alert) and moves its state. Same arguments,
 * answer and errors as `pem.evaluate_due_alerts` (sql/functions/alerts/).
 * Only test and benchmark databases get it; it is not part of sql/.
 */
import type { Queryable } from '@pharos/core/query';

/** The old loop (sql/functions/alerts/18_evaluate_due_alerts.sql before batching), renamed. */
export const PER_ALERT_ORACLE_SQL = `CREATE OR REPLACE FUNCTION pem.evaluate_due_alerts_per_alert(p_agent_id integer, p_limit integer DEFAULT 100,
                                                   p_alert_id integer DEFAULT NULL)
RETURNS TABLE (evaluated integer, problems integer, notifications integer, more boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  st pem.alert_settings;
  a pem.alert;
  r integer;
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  PERFORM pem.require_alert_worker(p_agent_id, 'evaluate');
  SELECT * INTO st FROM pem.alert_settings WHERE id;
  PERFORM pem.alerting_tick(st.backend_gap_s);
  evaluated := 0;
  problems := 0;
  notifications := 0;
  FOR a IN
    SELECT * FROM pem.alert al
     WHERE al.enabled AND al.next_due <= now() AND (p_alert_id IS NULL OR al.id = p_alert_id)
     ORDER BY al.next_due, al.id
     LIMIT p_limit
     FOR UPDATE SKIP LOCKED
  LOOP
    r := pem.evaluate_alert_locked(a, p_agent_id, st);
    evaluated := evaluated + 1;
    IF r < 0 THEN
      problems := problems + 1;
    ELSE
      notifications := notifications + r;
    END IF;
  END LOOP;
  more := evaluated >= p_limit;
  RETURN NEXT;
END $$;
GRANT EXECUTE ON FUNCTION pem.evaluate_due_alerts_per_alert(integer, integer, integer) TO pem_agent;`;

/**
 * `pem.latest_column` as main had it before evaluation was batched: a SQL
 * function, whose body PostgreSQL parses and plans again at every call from
 * a new statement. Benchmarks install it to measure the path as it was
 * ("main"); restore the shipped one with {@link restoreLatestColumn}.
 */
export const MAIN_LATEST_COLUMN_SQL = `CREATE OR REPLACE FUNCTION pem.latest_column(p_agent_id integer, p_server_id integer, p_probe text, p_column text,
                                             p_max_age_s double precision)
RETURNS double precision LANGUAGE sql STABLE AS $$
  SELECT (l.value ->> p_column)::float8
    FROM pem.latest_row(p_agent_id, p_server_id, p_probe, p_max_age_s) l
$$`;

/** Puts back the shipped pem.latest_column (sql/functions/alerts/06_latest_column.sql). */
export async function restoreLatestColumn(db: Queryable): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { SQL_DIR } = await import('../migrations/release.js');
  await db.query(readFileSync(join(SQL_DIR, 'functions/alerts/06_latest_column.sql'), 'utf8'));
}

/** Installs the oracle (as a superuser or the schema owner). */
export async function installPerAlertOracle(db: Queryable): Promise<void> {
  await db.query(PER_ALERT_ORACLE_SQL);
}
