/**
 * Alert template administration for the web application: list, create or
 * change, delete. A template's SQL is checked before it is saved by running
 * it as the restricted role that evaluates templates
 * (`pem.check_alert_template`), so a template that cannot run is refused
 * with the database's message. Template SQL contract: docs/alerts.md.
 */
import { InputError } from '@pharos/core/errors';
import { type QueryRunner, sqlStateOf } from './db.js';
import { type AlertOperator, thresholdsProblem } from './thresholds.js';

/** A template as saved. */
export interface TemplateInput {
  name: string;
  level: 'agent' | 'server' | 'database';
  /** SQL with $1 agent id, $2 server id, $3 object, $4 params; returns `value` (and optionally `detail`). */
  sql: string;
  operator: AlertOperator;
  low: number;
  medium: number;
  high: number;
  /** Default evaluation interval, seconds. */
  intervalS: number;
  description?: string;
  unit?: string;
  params?: Record<string, unknown>;
  /** Bind to every agent/server when it registers. */
  autoBind?: boolean;
  probes?: string[];
}

/** Every template, by level then name. */
export async function listTemplates(db: QueryRunner): Promise<Record<string, unknown>[]> {
  return (await db.query('SELECT * FROM pem.alert_template ORDER BY level, name')).rows;
}

/**
 * Longest a template's SQL may run when it is checked at save, ms (security
 * review L1). The server cancels it (statement_timeout), so a slow or
 * hostile query does not go on running on the primary after the web's
 * deadline; the evaluator's own batch timeout (evaluate.ts) is longer.
 */
export const TEMPLATE_CHECK_TIMEOUT_MS = 3000;

/**
 * Creates or replaces template `t.name`. Throws InputError for a bad level,
 * thresholds out of order, a non-positive interval, params not an object,
 * SQL that fails (the database's message) or that runs longer than
 * {@link TEMPLATE_CHECK_TIMEOUT_MS} (field `sql`). Call it inside a
 * transaction (`db` a transaction handle): the check's server-side timeout
 * is a `SET LOCAL`, which outside a transaction does nothing.
 */
export async function saveTemplate(db: QueryRunner, t: TemplateInput): Promise<void> {
  if (!t.name?.trim()) throw new InputError('a template needs a name');
  if (!['agent', 'server', 'database'].includes(t.level))
    throw new InputError(`template ${t.name}: level must be agent, server or database`);
  const problem = thresholdsProblem(t);
  if (problem) throw new InputError(`template ${t.name}: ${problem}`);
  if (!(Number.isInteger(t.intervalS) && t.intervalS > 0))
    throw new InputError(`template ${t.name}: interval must be whole seconds above 0`);
  const params = t.params ?? {};
  if (typeof params !== 'object' || Array.isArray(params))
    throw new InputError(`template ${t.name}: params must be a JSON object`);
  await db.query(`SET LOCAL statement_timeout = ${TEMPLATE_CHECK_TIMEOUT_MS}`);
  let check: string | null;
  try {
    check = (
      await db.query<{ e: string | null }>("SELECT pem.check_alert_template($1, NULL, NULL, '', $2) AS e", [
        t.sql,
        JSON.stringify(params),
      ])
    ).rows[0]!.e;
  } catch (err) {
    // 57014 query_canceled: the statement_timeout above (check_alert_template cannot catch it)
    if (sqlStateOf(err) === '57014')
      throw new InputError(
        `template ${t.name}: its SQL ran longer than ${TEMPLATE_CHECK_TIMEOUT_MS} ms when checked; make it cheaper`,
        { field: 'sql', cause: err },
      );
    throw err;
  }
  await db.query('SET LOCAL statement_timeout TO DEFAULT');
  if (check !== null) throw new InputError(`template ${t.name}: its SQL fails: ${check}`);
  await db.query(
    `INSERT INTO pem.alert_template (name, level, sql, operator, low, medium, high, interval_s, description, unit, params, auto_bind, probes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (name) DO UPDATE SET level = excluded.level, sql = excluded.sql, operator = excluded.operator, low = excluded.low,
       medium = excluded.medium, high = excluded.high, interval_s = excluded.interval_s, description = excluded.description,
       unit = excluded.unit, params = excluded.params, auto_bind = excluded.auto_bind, probes = excluded.probes, updated_at = now()`,
    [
      t.name,
      t.level,
      t.sql,
      t.operator,
      t.low,
      t.medium,
      t.high,
      t.intervalS,
      t.description ?? '',
      t.unit ?? '',
      JSON.stringify(params),
      t.autoBind ?? false,
      t.probes ?? [],
    ],
  );
}

/** Deletes template `name`. Throws InputError for a built-in template or one still bound to alerts. */
export async function deleteTemplate(db: QueryRunner, name: string): Promise<void> {
  const r = (
    await db.query<{ builtin: boolean; n: number }>(
      'SELECT builtin, (SELECT count(*)::int FROM pem.alert WHERE template = $1) AS n FROM pem.alert_template WHERE name = $1',
      [name],
    )
  ).rows[0];
  if (!r) throw new InputError(`there is no template ${name}`);
  if (r.builtin) throw new InputError(`template ${name} is built in; disable its alerts instead`);
  if (r.n > 0) throw new InputError(`template ${name} is bound to ${r.n} alert(s); delete them first`);
  await db.query('DELETE FROM pem.alert_template WHERE name = $1', [name]);
}
