/**
 * Alert administration for the web application (any instance; run as its
 * service role, a member of pem_web, or as a pem_admin user): list, show,
 * configure and acknowledge alerts; their history and the problems of the
 * alerting system. Sources: the tables of 005_alerts.sql and the views of
 * sql/views/ (pem.alert_overview, pem.alert_history, pem.alerting_problems). Callers
 * check that the user is an administrator before writing (the web's
 * requireAdmin); reads are for every logged-in user.
 */
import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import type { AlertPatch } from './admin-shapes.js';
import { type AlertOperator, thresholdsField, thresholdsProblem } from './thresholds.js';

export type { AlertPatch } from './admin-shapes.js';

/** A row of pem.alert_overview (snake_case, as the database returns it). */
export type AlertRow = Record<string, unknown> & { id: number; template: string; state: string };

/** Filters of {@link listAlerts}. */
export interface AlertFilter {
  /** Only these states (e.g. ['low','medium','high'] for "current"). */
  states?: string[];
  template?: string;
  agentId?: number;
  serverId?: number;
  /** Only alerts with a problem (template error, timeout, thresholds out of order). */
  problemsOnly?: boolean;
  /** At most this many rows (default 500, max 5000). */
  limit?: number;
}

/** Alerts, most severe first, then by last change, newest first. */
export async function listAlerts(db: Queryable, f: AlertFilter = {}): Promise<AlertRow[]> {
  const r = await db.query<AlertRow>(
    `SELECT * FROM pem.alert_overview
      WHERE ($1::text[] IS NULL OR state = ANY ($1)) AND ($2::text IS NULL OR template = $2)
        AND ($3::int IS NULL OR agent_id = $3 OR monitoring_agent_id = $3) AND ($4::int IS NULL OR server_id = $4)
        AND (NOT $5 OR last_error IS NOT NULL OR thresholds_problem IS NOT NULL)
      ORDER BY array_position(ARRAY['high','medium','low','none'], state), changed_at DESC, id
      LIMIT $6`,
    [
      f.states ?? null,
      f.template ?? null,
      f.agentId ?? null,
      f.serverId ?? null,
      f.problemsOnly ?? false,
      Math.min(f.limit ?? 500, 5000),
    ],
  );
  return r.rows;
}

/** One alert with its `historyLimit` latest history rows, or undefined when there is none. */
export async function getAlert(
  db: Queryable,
  id: number,
  historyLimit = 50,
): Promise<(AlertRow & { history: Record<string, unknown>[] }) | undefined> {
  const r = await db.query<AlertRow>('SELECT * FROM pem.alert_overview WHERE id = $1', [id]);
  if (!r.rows[0]) return undefined;
  return { ...r.rows[0], history: await alertHistory(db, { alertId: id, limit: historyLimit }) };
}

/** State changes (all alerts, or one), newest first. */
export async function alertHistory(
  db: Queryable,
  f: { alertId?: number; limit?: number } = {},
): Promise<Record<string, unknown>[]> {
  const r = await db.query(
    `SELECT h.*, al.template, al.agent_id, al.server_id, al.object FROM pem.alert_history h JOIN pem.alert al ON al.id = h.alert_id
      WHERE ($1::int IS NULL OR h.alert_id = $1) ORDER BY h.at DESC, h.id DESC LIMIT $2`,
    [f.alertId ?? null, Math.min(f.limit ?? 200, 5000)],
  );
  return r.rows;
}

const COLUMNS: Record<keyof AlertPatch, string> = {
  enabled: 'enabled',
  operator: 'operator',
  low: 'low',
  medium: 'medium',
  high: 'high',
  intervalS: 'interval_s',
  params: 'params',
  notifyWebhooks: 'notify_webhooks',
  notifyEmail: 'notify_email',
  emailGroupId: 'email_group_id',
  reminderS: 'reminder_s',
  flapDetection: 'flap_detection',
  logEvaluations: 'log_evaluations',
};

/**
 * Changes alert `id`. Throws InputError for thresholds out of order (checked
 * against the alert's other values), a non-positive interval or reminder
 * below 0, params that are not an object, an unknown email group, an unknown
 * field, or no such alert; its `field` names the input at fault
 * (`thresholds` when they are out of order).
 * Resolves to the updated overview row.
 */
export async function updateAlert(db: Queryable, id: number, patch: AlertPatch): Promise<AlertRow> {
  const keys = Object.keys(patch) as (keyof AlertPatch)[];
  const unknown = keys.filter((k) => !(k in COLUMNS));
  if (unknown.length > 0)
    throw pharosError('PHAROS_ALERT_FIELD_UNKNOWN', { fields: unknown.join(', ') }, { field: unknown[0] });
  const cur = (
    await db.query<{ operator: AlertOperator; low: number; medium: number; high: number }>(
      'SELECT operator, low, medium, high FROM pem.alert WHERE id = $1',
      [id],
    )
  ).rows[0];
  if (!cur) throw pharosError('PHAROS_ALERT_NOT_FOUND', { id });
  const merged = {
    operator: patch.operator ?? cur.operator,
    low: patch.low ?? cur.low,
    medium: patch.medium ?? cur.medium,
    high: patch.high ?? cur.high,
  };
  const problem = thresholdsProblem(merged);
  if (problem)
    throw pharosError('PHAROS_ALERT_THRESHOLDS_INVALID', { id, problem }, { field: thresholdsField(merged) });
  if (patch.intervalS !== undefined && !(Number.isInteger(patch.intervalS) && patch.intervalS > 0))
    throw pharosError(
      'PHAROS_ALERT_INTERVAL_INVALID',
      { id },
      {
        field: 'intervalS',
      },
    );
  if (patch.reminderS !== undefined && !(Number.isInteger(patch.reminderS) && patch.reminderS >= 0))
    throw pharosError(
      'PHAROS_ALERT_REMINDER_INVALID',
      { id },
      {
        field: 'reminderS',
      },
    );
  if (
    patch.params !== undefined &&
    (patch.params === null || typeof patch.params !== 'object' || Array.isArray(patch.params))
  )
    throw pharosError('PHAROS_ALERT_PARAMS_INVALID', { id }, { field: 'params' });
  if (
    patch.emailGroupId !== undefined &&
    patch.emailGroupId !== null &&
    (await db.query('SELECT 1 FROM pem.email_group WHERE id = $1', [patch.emailGroupId])).rowCount === 0
  )
    throw pharosError(
      'PHAROS_ALERT_EMAIL_GROUP_UNKNOWN',
      { id, groupId: patch.emailGroupId },
      {
        field: 'emailGroupId',
      },
    );
  if (keys.length > 0) {
    const sets = keys.map((k, i) => `${COLUMNS[k]} = $${i + 2}`);
    const values = keys.map((k) => (k === 'params' ? JSON.stringify(patch[k]) : patch[k]));
    await db.query(`UPDATE pem.alert SET ${sets.join(', ')} WHERE id = $1`, [id, ...values]);
  }
  return (await db.query<AlertRow>('SELECT * FROM pem.alert_overview WHERE id = $1', [id])).rows[0]!;
}

/**
 * Acknowledges alert `id` as `by` (no reminders until its state changes).
 * Resolves false when the alert is not raised (state none) or absent.
 */
export async function acknowledgeAlert(
  db: Queryable,
  id: number,
  by: string,
  note?: string,
): Promise<boolean> {
  const r = await db.query(
    "UPDATE pem.alert SET acknowledged_at = now(), acknowledged_by = $2, ack_note = $3 WHERE id = $1 AND state <> 'none'",
    [id, by, note ?? null],
  );
  return r.rowCount > 0;
}

/** Problems of the alerting system (evaluation problems and failed deliveries), newest first. */
export async function listProblems(db: Queryable, limit = 200): Promise<Record<string, unknown>[]> {
  return (
    await db.query('SELECT * FROM pem.alerting_problems ORDER BY at DESC LIMIT $1', [Math.min(limit, 5000)])
  ).rows;
}
