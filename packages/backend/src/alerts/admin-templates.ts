/**
 * Alert template administration for the web application: list, create or
 * change, delete. A template's SQL is checked before it is saved by running
 * it as the restricted role that evaluates templates
 * (`pem.check_alert_template`), so a template that cannot run is refused
 * with the database's message. Template SQL contract: docs/alerts.md.
 */
import { pharosError, sqlStateOf } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import type { TemplateInput } from './admin-shapes.js';
import { thresholdsField, thresholdsProblem } from './thresholds.js';

export type { TemplateInput } from './admin-shapes.js';

/** Every template, by level then name. */
export async function listTemplates(db: Queryable): Promise<Record<string, unknown>[]> {
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
export async function saveTemplate(db: Queryable, t: TemplateInput): Promise<void> {
  if (!t.name?.trim()) throw pharosError('PHAROS_TEMPLATE_NAME_MISSING');
  if (!['agent', 'server', 'database'].includes(t.level ?? ''))
    throw pharosError('PHAROS_TEMPLATE_LEVEL_INVALID', { name: t.name }, { field: 'level' });
  const problem = thresholdsProblem(t);
  if (problem)
    throw pharosError(
      'PHAROS_TEMPLATE_THRESHOLDS_INVALID',
      { name: t.name, problem },
      { field: thresholdsField(t) },
    );
  if (!(Number.isInteger(t.intervalS) && (t.intervalS ?? 0) > 0))
    throw pharosError('PHAROS_TEMPLATE_INTERVAL_INVALID', { name: t.name }, { field: 'intervalS' });
  const params = t.params ?? {};
  if (typeof params !== 'object' || Array.isArray(params))
    throw pharosError('PHAROS_TEMPLATE_PARAMS_INVALID', { name: t.name }, { field: 'params' });
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
      throw pharosError(
        'PHAROS_TEMPLATE_SQL_TOO_SLOW',
        { name: t.name, ms: TEMPLATE_CHECK_TIMEOUT_MS },
        { field: 'sql', cause: err },
      );
    throw err;
  }
  await db.query('SET LOCAL statement_timeout TO DEFAULT');
  if (check !== null)
    throw pharosError('PHAROS_TEMPLATE_SQL_FAILS', { name: t.name, error: check }, { field: 'sql' });
  await db.query(
    `INSERT INTO pem.alert_template (name, level, sql, operator, low, medium, high, interval_s, description, unit, params, auto_bind, probes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (name) DO UPDATE SET level = excluded.level, sql = excluded.sql, operator = excluded.operator, low = excluded.low,
       medium = excluded.medium, high = excluded.high, interval_s = excluded.interval_s, description = excluded.description,
       unit = excluded.unit, params = excluded.params, auto_bind = excluded.auto_bind, probes = excluded.probes,
       plan_cache_mode = CASE WHEN pem.alert_template.sql = excluded.sql THEN pem.alert_template.plan_cache_mode ELSE 'auto' END,
       updated_at = now()`,
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
export async function deleteTemplate(db: Queryable, name: string): Promise<void> {
  const r = (
    await db.query<{ builtin: boolean; n: number }>(
      'SELECT builtin, (SELECT count(*)::int FROM pem.alert WHERE template = $1) AS n FROM pem.alert_template WHERE name = $1',
      [name],
    )
  ).rows[0];
  if (!r) throw pharosError('PHAROS_TEMPLATE_NOT_FOUND', { name });
  if (r.builtin) throw pharosError('PHAROS_TEMPLATE_BUILT_IN', { name });
  if (r.n > 0) throw pharosError('PHAROS_TEMPLATE_IN_USE', { name, count: r.n });
  await db.query('DELETE FROM pem.alert_template WHERE name = $1', [name]);
}
