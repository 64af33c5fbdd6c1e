/**
 * Custom probes (issue 18; docs/custom-probes.md): probes an administrator
 * defines in the backend (pem.probe rows with custom = true, read through
 * `pem.agent_custom_probes`), turned into {@link Probe}s the server monitor
 * runs like its built-in SQL probes: on the server's monitoring session
 * (monitor/probe-session.ts: the monitoring role, read-only, lock_timeout),
 * under the probe's statement timeout, the text for the server's major.
 *
 * The administrator's text runs inside a subquery with a row limit sent as
 * a parameter — `SELECT * FROM (\n<text>\n) AS custom_probe LIMIT $1` — so
 * it goes through the extended query protocol, where PostgreSQL refuses more
 * than one statement ("cannot insert multiple commands into a prepared
 * statement"; protocol-flow.html "Extended Query"), and a data-modifying
 * WITH is refused inside a subquery; at most {@link MAX_CUSTOM_ROWS} rows
 * are kept per run. An error's `position` (the character PostgreSQL points
 * at, 1-based, in the text sent; protocol-error-fields.html "P") is mapped
 * back to the administrator's text by {@link positionInText}.
 */
import type { ColumnType, ColumnUnit, Probe, ProbeColumn } from './types.js';

/** Most rows one run of a custom probe keeps. */
export const MAX_CUSTOM_ROWS = 1000;
/** What comes before the administrator's text. */
export const CUSTOM_PREFIX = 'SELECT * FROM (\n';
/** What comes after it ($1: the row limit). */
export const CUSTOM_SUFFIX = '\n) AS custom_probe LIMIT $1';

/**
 * The statement a custom probe's `text` runs as (module note); trailing
 * semicolons and white space are left out (the characters before them keep
 * their positions).
 */
export function wrapCustomSql(text: string): string {
  return `${CUSTOM_PREFIX}${text.replace(/[\s;]+$/u, '')}${CUSTOM_SUFFIX}`;
}

/**
 * The 1-based character of the administrator's text (of length
 * `textLength`) that PostgreSQL's `position` in the wrapped statement points
 * at; a position in the wrapper after the text (e.g. "syntax error at end of
 * input") is the text's end. Undefined when PostgreSQL gave none or it
 * points before the text.
 */
export function positionInText(
  position: string | number | undefined,
  textLength: number,
): number | undefined {
  const p = Number(position);
  if (position === undefined || !Number.isInteger(p) || p < 1) return undefined;
  const inText = p - CUSTOM_PREFIX.length;
  if (inText < 1) return undefined;
  return Math.min(inText, Math.max(1, textLength));
}

/** A row of `pem.agent_custom_probes`. */
export interface CustomProbeRow {
  name: string;
  level: 'server' | 'database';
  runs_on: 'primary' | 'standby' | 'both';
  interval_s: number;
  timeout_ms: number;
  sql: Record<string, string>;
  columns: { name: string; type: ColumnType; unit: ColumnUnit; counter?: boolean }[];
  object_column: string | null;
  description: string;
  server_ids: number[];
}

/** The probe of a custom probe row: its texts wrapped, its row limit as the parameter. */
export function customProbeFromRow(r: CustomProbeRow): Probe {
  const sql: Record<number, string> = {};
  for (const [major, text] of Object.entries(r.sql)) sql[Number(major)] = wrapCustomSql(text);
  const columns: ProbeColumn[] = r.columns.map((c) => ({
    name: c.name,
    type: c.type,
    unit: c.unit,
    ...(c.counter ? { counter: true } : {}),
  }));
  return {
    name: r.name,
    level: r.level,
    runsOn: r.runs_on,
    intervalS: Number(r.interval_s),
    timeoutMs: Number(r.timeout_ms),
    sql,
    sqlParams: [MAX_CUSTOM_ROWS],
    columns,
    ...(r.object_column ? { objectColumn: r.object_column } : {}),
    description: r.description,
    custom: true,
  };
}

/** Names of PostgreSQL's built-in types by OID (pg_type.dat), for messages. */
const TYPE_NAMES: Record<number, string> = {
  16: 'boolean',
  18: 'char',
  19: 'name',
  20: 'bigint',
  21: 'smallint',
  23: 'integer',
  25: 'text',
  26: 'oid',
  28: 'xid',
  114: 'json',
  700: 'real',
  701: 'double precision',
  869: 'inet',
  1043: 'character varying',
  1082: 'date',
  1114: 'timestamp',
  1184: 'timestamptz',
  1186: 'interval',
  1700: 'numeric',
  3220: 'pg_lsn',
  3802: 'jsonb',
  5069: 'xid8',
};

/** The name of type `oid` (e.g. `bigint`), or `oid <n>` for one not built in. */
export function typeName(oid: number): string {
  return TYPE_NAMES[oid] ?? `oid ${oid}`;
}

const INTEGERS = [20, 21, 23, 26, 28, 5069, 1700];
/** PostgreSQL types whose values a column of each type stores without loss of meaning (normalize.ts). */
const ACCEPTED: Record<ColumnType, readonly number[] | 'any'> = {
  integer: INTEGERS,
  bigint: INTEGERS,
  double: [...INTEGERS, 700, 701],
  boolean: [16],
  timestamptz: [1184, 1114, 1082],
  lsn: [3220, 25, 1043],
  text: 'any',
};

/** True when a declared column of `type` can store values of PostgreSQL type `oid`. */
export function typeAccepts(type: ColumnType, oid: number): boolean {
  const ok = ACCEPTED[type];
  return ok === 'any' || ok.includes(oid);
}

/**
 * What differs between the declared columns and those a run returned
 * (name and type OID), as sentences; empty when they match. Every declared
 * column must be returned with a type it can store, and nothing else.
 */
export function columnMismatches(
  declared: readonly { name: string; type: ColumnType }[],
  returned: readonly { name: string; dataTypeID: number }[],
): string[] {
  const problems: string[] = [];
  const byName = new Map<string, number>();
  for (const f of returned) {
    if (byName.has(f.name)) problems.push(`the SQL returns ${f.name} twice`);
    byName.set(f.name, f.dataTypeID);
  }
  for (const c of declared) {
    const oid = byName.get(c.name);
    if (oid === undefined) problems.push(`declared column ${c.name} is not returned`);
    else if (!typeAccepts(c.type, oid))
      problems.push(
        `${c.name} is ${typeName(oid)}, which a ${c.type} column cannot store (cast it in the SQL)`,
      );
  }
  const names = new Set(declared.map((c) => c.name));
  for (const f of returned)
    if (!names.has(f.name)) problems.push(`the SQL returns ${f.name}, which is not declared`);
  return problems;
}
