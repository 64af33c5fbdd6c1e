/**
 * Custom probes (issue 18; docs/custom-probes.md): a pem_admin defines a
 * probe as SQL per PostgreSQL major with its columns, interval and where it
 * runs; it is checked on a chosen server by that server's agent (the
 * `custom-probe-check` task: read-only, with the probe's statement timeout,
 * as the monitoring role) and stored in pem.probe only when the check
 * passes. Agents read the custom probes they run with their probe settings
 * (pem.agent_custom_probes) and are told of a change at commit.
 *
 * Every function takes a Queryable of the web tier or the CLI; the SQL
 * functions (sql/functions/probes/) keep the table's rules and name the
 * field of what they refuse.
 */
import { type ErrorCode, errorOfCode, pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import { runAgentTask } from '../fleet/agent-tasks.js';
import {
  type CustomProbeBody,
  type CustomProbeCheck,
  type CustomProbeCheckParams,
  type CustomProbeColumn,
  MIN_MAJOR,
} from './custom-probe-shapes.js';

export type { CustomProbeBody, CustomProbeCheck, CustomProbeCheckParams } from './custom-probe-shapes.js';

/** A complete, checked custom probe definition (what pem.custom_probe_save stores). */
export interface CustomProbeDefinition {
  name: string;
  level: 'server' | 'database';
  description: string;
  sql: Record<string, string>;
  columns: CustomProbeColumn[];
  objectColumn: string | null;
  intervalS: number;
  timeoutMs: number;
  runsOn: 'both' | 'primary' | 'standby';
  enabled: boolean;
  runTag: string | null;
  runServerIds: number[] | null;
}

/** Names of custom probes: `custom_` then lower-case letters, digits and `_` (pem.probe's constraint). */
export const CUSTOM_NAME_PATTERN = /^custom_[a-z0-9_]{1,56}$/;
/** Bounds of a custom probe's interval, seconds. */
export const INTERVAL_S = { min: 1, max: 86_400 } as const;
/** Bounds of a custom probe's statement timeout, ms. */
export const TIMEOUT_MS = { min: 100, max: 60_000 } as const;
/** Value types that can be charted, compared with thresholds and be counters. */
const NUMERIC_TYPES = new Set(['integer', 'bigint', 'double']);

const invalid = (field: string, detail: string) =>
  pharosError('PHAROS_PROBE_INVALID', { detail: `${field}: ${detail}` }, { field });

/**
 * Checks body `b` field by field and returns the complete definition.
 * @throws PHAROS_PROBE_INVALID naming the first field at fault (`name`,
 *   `level`, `sql` (the message names the major), `columns`,
 *   `objectColumn`, `intervalS`, `timeoutMs`, `runTag`).
 */
export function checkDefinition(b: CustomProbeBody): CustomProbeDefinition {
  const name = b.name ?? '';
  if (!CUSTOM_NAME_PATTERN.test(name))
    throw invalid(
      'name',
      `'${name}' is not a custom probe name: custom_ followed by 1 to 56 lower-case letters, digits or _ (e.g. custom_orders_queue)`,
    );
  if (b.level !== 'server' && b.level !== 'database')
    throw invalid('level', 'server (once per server) or database (in every database) is required');
  const sql: Record<string, string> = {};
  const keys = Object.keys(b.sql ?? {});
  if (keys.length === 0)
    throw invalid('sql', `the SQL text for PostgreSQL ${MIN_MAJOR} and later is required`);
  for (const key of keys.sort((x, y) => Number(x) - Number(y))) {
    const major = Number(key);
    if (!Number.isInteger(major) || major < MIN_MAJOR || String(major) !== key)
      throw invalid('sql', `'${key}' is not a PostgreSQL major from ${MIN_MAJOR} (e.g. 13, 16)`);
    const text = stripTrailing(b.sql![key]!);
    if (text.trim() === '') throw invalid('sql', `the SQL text for ${key} is empty`);
    sql[key] = text;
  }
  const columns = b.columns ?? [];
  if (columns.length === 0) throw invalid('columns', 'declare at least one column the SQL returns');
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw invalid('columns', `column ${c.name} is declared twice`);
    seen.add(c.name);
    if (c.counter && !NUMERIC_TYPES.has(c.type))
      throw invalid('columns', `${c.name}: a counter is a number (integer, bigint or double), not ${c.type}`);
  }
  const objectColumn = b.objectColumn ?? null;
  if (objectColumn !== null && !seen.has(objectColumn))
    throw invalid('objectColumn', `${objectColumn} is not one of the declared columns`);
  const intervalS = b.intervalS ?? 60;
  if (!Number.isInteger(intervalS) || intervalS < INTERVAL_S.min || intervalS > INTERVAL_S.max)
    throw invalid(
      'intervalS',
      `${intervalS} is not a whole number of seconds from ${INTERVAL_S.min} to ${INTERVAL_S.max}`,
    );
  const timeoutMs = b.timeoutMs ?? 5000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < TIMEOUT_MS.min || timeoutMs > TIMEOUT_MS.max)
    throw invalid(
      'timeoutMs',
      `${timeoutMs} is not a number of milliseconds from ${TIMEOUT_MS.min} to ${TIMEOUT_MS.max}`,
    );
  const runTag = b.runTag?.trim() ? b.runTag.trim() : null;
  const runServerIds = b.runServerIds && b.runServerIds.length > 0 ? [...new Set(b.runServerIds)] : null;
  if (runTag !== null && runServerIds !== null)
    throw invalid('runTag', 'run on a tag or on chosen servers, not both');
  return {
    name,
    level: b.level,
    description: b.description ?? '',
    sql,
    columns: columns.map((c) => ({ name: c.name, type: c.type, unit: c.unit, counter: c.counter === true })),
    objectColumn,
    intervalS,
    timeoutMs,
    runsOn: b.runsOn ?? 'both',
    enabled: b.enabled ?? true,
    runTag,
    runServerIds,
  };
}

/** `text` without trailing semicolons and white space (one statement is run, inside a subquery). */
export function stripTrailing(text: string): string {
  return text.replace(/[\s;]+$/u, '');
}

/** How long the web tier or CLI waits for a check beyond the probe's own timeout, ms (connect + round trips). */
export const CHECK_MARGIN_MS = 6000;

/**
 * Has the agent of server `serverId` check definition `d` (module note),
 * on behalf of `actor`. Resolves with what the check found, a failure
 * included; when the agent does not answer the result says so.
 * @throws PHAROS_PROBE_SERVER_UNBOUND when no agent monitors the server,
 *   PHAROS_SERVER_NOT_FOUND (field checkServerId) for an unknown server.
 */
export async function checkOnServer(
  db: Queryable,
  actor: string,
  d: CustomProbeDefinition,
  serverId: number,
  database?: string,
): Promise<CustomProbeCheck> {
  const r = await db.query<{ agent_id: number | null }>(
    'SELECT b.agent_id FROM pem.server s LEFT JOIN pem.server_binding b ON b.server_id = s.id WHERE s.id = $1',
    [serverId],
  );
  if (r.rows.length === 0)
    throw pharosError('PHAROS_SERVER_NOT_FOUND', { id: serverId }, { field: 'checkServerId' });
  const agentId = r.rows[0]!.agent_id;
  if (agentId === null)
    throw pharosError('PHAROS_PROBE_SERVER_UNBOUND', { serverId }, { field: 'checkServerId' });
  const params: CustomProbeCheckParams = {
    serverId,
    sql: d.sql,
    columns: d.columns,
    timeoutMs: d.timeoutMs,
    ...(d.level === 'database' && database ? { database } : {}),
  };
  const t0 = Date.now();
  const outcome = await runAgentTask(
    db,
    actor,
    agentId,
    'custom-probe-check',
    params,
    d.timeoutMs + CHECK_MARGIN_MS,
  );
  if (outcome.state === 'done') return outcome.result as CustomProbeCheck;
  return {
    ok: false,
    message:
      outcome.state === 'failed'
        ? `agent ${agentId} could not run the check: ${outcome.error}`
        : `The check did not run: ${outcome.message}`,
    elapsedMs: Date.now() - t0,
  };
}

/**
 * The field a failed check points at: `sql` when the SQL failed (the
 * check's `sqlKey` says which text, `position` where), `columns` when they
 * differ, `checkServerId` when the server could not be reached.
 */
export function fieldOfCheck(c: CustomProbeCheck): string {
  if (c.sqlstate !== undefined && c.sqlKey !== undefined) return 'sql';
  if (c.columns !== undefined) return 'columns';
  return c.sqlKey !== undefined ? 'sql' : 'checkServerId';
}

/** The catalogue error of the SQL functions' refusals (23505 name taken, P0002 not found, 22023 invalid). */
function probeError(err: unknown): unknown {
  const e = err as { code?: unknown; column?: unknown; message?: unknown } | null;
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string') return err;
  const table: Record<string, ErrorCode> = {
    '23505': 'PHAROS_PROBE_NAME_TAKEN',
    P0002: 'PHAROS_PROBE_NOT_FOUND',
    '22023': 'PHAROS_PROBE_INVALID',
  };
  const code = table[e.code];
  if (!code) return err;
  const column = typeof e.column === 'string' && e.column ? e.column : undefined;
  return errorOfCode(code, e.message, { cause: err, ...(column ? { field: column } : {}) });
}

/**
 * Stores definition `d` (checked) on behalf of `actor`: creates it
 * (`replace` false) or replaces the custom probe of that name.
 * @throws PHAROS_PROBE_NAME_TAKEN, PHAROS_PROBE_NOT_FOUND, PHAROS_PROBE_INVALID (runServerIds).
 */
export async function saveCustomProbe(
  db: Queryable,
  actor: string,
  d: CustomProbeDefinition,
  replace: boolean,
): Promise<void> {
  try {
    await db.query('SELECT pem.custom_probe_save($1, $2::jsonb, $3)', [actor, JSON.stringify(d), replace]);
  } catch (err) {
    throw probeError(err);
  }
}

/** Removes custom probe `name` on behalf of `actor`. @throws PHAROS_PROBE_NOT_FOUND. */
export async function removeCustomProbe(db: Queryable, actor: string, name: string): Promise<void> {
  try {
    await db.query('SELECT pem.custom_probe_remove($1, $2)', [actor, name]);
  } catch (err) {
    throw probeError(err);
  }
}

/** A probe as the API lists it: built-in or custom, with its definition. */
export interface ProbeRow {
  name: string;
  custom: boolean;
  level: string;
  description: string;
  intervalS: number;
  timeoutMs: number;
  enabled: boolean;
  runsOn: string;
  columns: CustomProbeColumn[];
  sql: Record<string, string> | null;
  objectColumn: string | null;
  runTag: string | null;
  runServerIds: number[] | null;
  createdBy: string | null;
  updatedBy: string | null;
  definedAt: string;
}

const PROBE_SQL = `SELECT name, custom, level, description, interval_s, timeout_ms, enabled, runs_on, columns, sql,
       object_column, run_tag, run_server_ids, created_by, updated_by, defined_at FROM pem.probe`;

type Raw = {
  name: string;
  custom: boolean;
  level: string;
  description: string;
  interval_s: number;
  timeout_ms: number;
  enabled: boolean;
  runs_on: string;
  columns: ProbeRow['columns'];
  sql: Record<string, string> | null;
  object_column: string | null;
  run_tag: string | null;
  run_server_ids: number[] | null;
  created_by: string | null;
  updated_by: string | null;
  defined_at: Date;
};

const toRow = (r: Raw): ProbeRow => ({
  name: r.name,
  custom: r.custom,
  level: r.level,
  description: r.description,
  intervalS: r.interval_s,
  timeoutMs: r.timeout_ms,
  enabled: r.enabled,
  runsOn: r.runs_on,
  columns: r.columns,
  sql: r.sql,
  objectColumn: r.object_column,
  runTag: r.run_tag,
  runServerIds: r.run_server_ids,
  createdBy: r.created_by,
  updatedBy: r.updated_by,
  definedAt: new Date(r.defined_at).toISOString(),
});

/** Every probe (custom ones only when `customOnly`), custom ones first, then by name. */
export async function listProbes(db: Queryable, customOnly = false): Promise<ProbeRow[]> {
  const r = await db.query<Raw>(
    `${PROBE_SQL} ${customOnly ? 'WHERE custom' : ''} ORDER BY custom DESC, name`,
  );
  return r.rows.map(toRow);
}

/** Probe `name`, or undefined. */
export async function getProbe(db: Queryable, name: string): Promise<ProbeRow | undefined> {
  const r = await db.query<Raw>(`${PROBE_SQL} WHERE name = $1`, [name]);
  return r.rows[0] ? toRow(r.rows[0]) : undefined;
}

/** The PHAROS_PROBE_CHECK_FAILED error of failed check `c`: its message and the field it points at. */
export function checkFailedError(c: CustomProbeCheck) {
  return pharosError('PHAROS_PROBE_CHECK_FAILED', { detail: c.message }, { field: fieldOfCheck(c) });
}
