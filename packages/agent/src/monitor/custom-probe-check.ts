/**
 * The `custom-probe-check` agent task (issue 18; docs/custom-probes.md):
 * before a custom probe is saved, the agent of the chosen server runs it
 * there exactly as its monitor will — on a monitoring session of the
 * server's binding (probe-session.ts: the monitoring role, read-only,
 * lock_timeout), under the probe's statement timeout, the SQL text for the
 * server's major wrapped as probes/custom.ts says — and answers what it
 * found ({@link CustomProbeCheck}): PostgreSQL's error with its SQLSTATE and
 * its position in the administrator's text, or the columns that differ from
 * the declared ones, or the first rows. Nothing is written on the server.
 */
import type { CustomProbeCheck, CustomProbeCheckParams } from '@pharos/backend/probes/custom-probe-shapes';
import { COLUMN_TYPES, COLUMN_UNITS } from '@pharos/backend/probes/custom-probe-shapes';
import { messageOf, pharosError } from '@pharos/core/errors';
import type { Logger } from '@pharos/core/log';
import { z } from 'zod';
import {
  columnMismatches,
  MAX_CUSTOM_ROWS,
  positionInText,
  typeName,
  wrapCustomSql,
} from '../probes/custom.js';
import { normalizeRow } from '../probes/normalize.js';
import { majorOf } from '../probes/sql-for-major.js';
import type { Binding } from './bindings.js';
import { ProbeSession } from './probe-session.js';

/** What the check needs of the agent. */
export interface CustomProbeCheckContext {
  agentId: number;
  /** The binding of a server this agent monitors now (monitor/fleet.ts). */
  bindingOf: (serverId: number) => Binding | undefined;
  passfile?: string;
  sslrootcert?: string;
  sourceAddress?: string;
  hostAddress?: string;
  logger: Logger;
}

/** Rows of the answer's sample. */
export const SAMPLE_ROWS = 5;

/** The key of `sql` whose text runs on `major`: the highest key <= major, or undefined. */
export function sqlKeyFor(sql: Record<string, string>, major: number): string | undefined {
  return Object.keys(sql)
    .filter((k) => Number(k) <= major)
    .sort((a, b) => Number(b) - Number(a))[0];
}

/** Runs the check (module note). Never throws for what it finds; throws when the server is not this agent's. */
export async function checkCustomProbe(
  p: CustomProbeCheckParams,
  ctx: CustomProbeCheckContext,
): Promise<CustomProbeCheck> {
  const started = Date.now();
  const binding = ctx.bindingOf(p.serverId);
  if (!binding) throw new Error(`server ${p.serverId} is not monitored by agent ${ctx.agentId} now`);
  const session = new ProbeSession(
    {
      agentId: ctx.agentId,
      binding,
      passfile: ctx.passfile,
      sslrootcert: ctx.sslrootcert,
      sourceAddress: ctx.sourceAddress,
      hostAddress: ctx.hostAddress,
      connectTimeoutS: 3,
      logger: ctx.logger,
    },
    p.database,
  );
  const where = `${binding.displayName}${p.database ? ` (database ${p.database})` : ''}`;
  const elapsed = () => Date.now() - started;
  try {
    let major: number;
    try {
      const v = await session.run("SELECT pg_catalog.current_setting('server_version_num')::int AS v", 5000);
      major = majorOf(Number(v[0]?.v));
    } catch (err) {
      return {
        ok: false,
        message: `cannot connect to ${where} as the monitor does: ${messageOf(err)}`,
        elapsedMs: elapsed(),
      };
    }
    const sqlKey = sqlKeyFor(p.sql, major);
    if (sqlKey === undefined) {
      const lowest = Object.keys(p.sql).sort((a, b) => Number(a) - Number(b))[0];
      return {
        ok: false,
        message: `${where} runs PostgreSQL ${major}: the probe has no SQL text for it (its lowest is for ${lowest}); add one under ${major} or lower`,
        major,
        sqlKey: lowest,
        elapsedMs: elapsed(),
      };
    }
    const text = p.sql[sqlKey]!;
    let result: Awaited<ReturnType<ProbeSession['query']>>;
    try {
      result = await session.query(wrapCustomSql(text), p.timeoutMs, [MAX_CUSTOM_ROWS]);
    } catch (err) {
      const e = err as { code?: unknown; position?: unknown };
      const position = positionInText(e.position as string | undefined, text.length);
      const sqlstate = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
      return {
        ok: false,
        message: `PostgreSQL ${major} on ${where}: ${messageOf(err)}${position !== undefined ? ` (at character ${position} of the SQL for ${sqlKey})` : ''}`,
        major,
        sqlKey,
        ...(sqlstate ? { sqlstate } : {}),
        ...(position !== undefined ? { position } : {}),
        elapsedMs: elapsed(),
      };
    }
    const fields = result.fields ?? [];
    const columns = fields.map((f) => ({ name: f.name, pgType: typeName(f.dataTypeID) }));
    const problems = columnMismatches(p.columns, fields);
    if (problems.length > 0)
      return {
        ok: false,
        message: `the SQL for ${sqlKey} ran on ${where} but its columns differ from the declared ones: ${problems.join('; ')}`,
        major,
        sqlKey,
        columns,
        rows: result.rows.length,
        elapsedMs: elapsed(),
      };
    return {
      ok: true,
      message: `The SQL for ${sqlKey} ran on ${where} (PostgreSQL ${major}) in ${elapsed()} ms: ${result.rows.length} row(s), the columns match.`,
      major,
      sqlKey,
      columns,
      rows: result.rows.length,
      sample: result.rows.slice(0, SAMPLE_ROWS).map((r) => normalizeRow(r, p.columns)),
      elapsedMs: elapsed(),
    };
  } finally {
    await session.close();
  }
}

const paramsSchema = z
  .object({
    serverId: z.number().int().positive(),
    database: z.string().min(1).max(63).optional(),
    sql: z.record(z.string().regex(/^[1-9][0-9]$/), z.string().min(1).max(20_000)),
    columns: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/),
            type: z.enum(COLUMN_TYPES),
            unit: z.enum(COLUMN_UNITS),
            counter: z.boolean().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(64),
    timeoutMs: z.number().int().min(100).max(60_000),
  })
  .strict();

/**
 * The parameters of a `custom-probe-check` task (what the web tier puts in
 * pem.agent_task.params). @throws InputError naming each bad field.
 */
export function parseCustomProbeCheckParams(params: unknown): CustomProbeCheckParams {
  const r = paramsSchema.safeParse(params);
  if (!r.success) {
    throw pharosError('PHAROS_TASK_PARAMS_INVALID', {
      task: 'custom-probe-check',
      problems: r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; '),
    });
  }
  const { database, ...rest } = r.data;
  return database ? { ...rest, database } : rest;
}
