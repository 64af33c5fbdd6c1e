/**
 * The inputs and answers of custom probe administration (issue 18,
 * docs/custom-probes.md), declared once (TypeBox: JSON Schema and, through
 * Static, the TypeScript type): the web API validates bodies with them and
 * documents them in OpenAPI, custom-probes.ts takes their Static types, and
 * the agent's check (packages/agent/src/monitor/custom-probe-check.ts)
 * answers a {@link CustomProbeCheck}. Types and ranges are checked by the
 * schema; the rules across fields (the object column is a declared column,
 * counters are numbers, one placement) by custom-probes.ts. Like the other
 * admin bodies, no field is required by the schema, so a well-formed request
 * from a non-administrator is refused 403 before its content matters.
 */
import { type Static, Type } from 'typebox';
import { Id, Text } from '../shape-types.js';

/** Value types of a probe column, as the agent stores them (agent probes/types.ts ColumnType). */
export const COLUMN_TYPES = ['integer', 'bigint', 'double', 'text', 'boolean', 'timestamptz', 'lsn'] as const;
/** Units of a probe column (agent probes/types.ts ColumnUnit). */
export const COLUMN_UNITS = [
  'bytes',
  's',
  'ms',
  'percent',
  'count',
  'boolean',
  'text',
  'lsn',
  'timestamp',
  'version',
  'timeline',
  'xid',
  'blocks',
  'pages',
  'rows',
  'transactions',
  'tasks',
  'ratio',
  'bytes/s',
] as const;

/** Lowest PostgreSQL major Pharos monitors (the SQL keys start there). */
export const MIN_MAJOR = 13;
/** Longest SQL text of one major, characters. */
export const MAX_SQL_LENGTH = 20_000;
/** Most columns of a custom probe. */
export const MAX_COLUMNS = 64;

/** One declared column. */
export const CustomProbeColumn = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$', description: 'the column name the SQL returns' }),
    type: Type.Enum(COLUMN_TYPES, { description: 'how the value is stored' }),
    unit: Type.Enum(COLUMN_UNITS, { description: 'what the value counts or measures' }),
    counter: Type.Optional(
      Type.Boolean({ description: 'a cumulative counter: stored raw, charted and alerted on as a rate' }),
    ),
  },
  { additionalProperties: false },
);
export type CustomProbeColumn = Static<typeof CustomProbeColumn>;

/** Body of POST /api/probes and PUT /api/probes/:name: a custom probe and the server to check it on. */
export const CustomProbeBody = Type.Object(
  {
    name: Type.Optional(
      Text({ maxLength: 63, description: 'custom_<lower-case name>, e.g. custom_orders_queue' }),
    ),
    level: Type.Optional(
      Type.Union([Type.Literal('server'), Type.Literal('database')], {
        description:
          'server: once per server (its maintenance database); database: in every connectable database',
      }),
    ),
    description: Type.Optional(Text({ maxLength: 500 })),
    sql: Type.Optional(
      Type.Record(Type.String({ pattern: '^[1-9][0-9]$' }), Text({ maxLength: MAX_SQL_LENGTH }), {
        description:
          'SQL text by minimum PostgreSQL major ({"13": "SELECT ..."}): the text under the highest key <= the server\'s major runs',
      }),
    ),
    columns: Type.Optional(Type.Array(CustomProbeColumn, { maxItems: MAX_COLUMNS })),
    objectColumn: Type.Optional(
      Type.Union([Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' }), Type.Null()], {
        description: "the column naming a row's object (several rows per run); null: one row",
      }),
    ),
    intervalS: Type.Optional(Type.Integer({ description: 'seconds between runs (1 to 86400)' })),
    timeoutMs: Type.Optional(
      Type.Integer({ description: 'statement timeout of one run, ms (100 to 60000)' }),
    ),
    runsOn: Type.Optional(
      Type.Union([Type.Literal('both'), Type.Literal('primary'), Type.Literal('standby')], {
        description: 'servers of which role run it',
      }),
    ),
    enabled: Type.Optional(Type.Boolean()),
    runTag: Type.Optional(
      Type.Union([Text({ maxLength: 63 }), Type.Null()], {
        description: 'run only on servers carrying this tag (a group); null: no tag condition',
      }),
    ),
    runServerIds: Type.Optional(
      Type.Union([Type.Array(Id(), { maxItems: 1000 }), Type.Null()], {
        description: 'run only on these servers; null: every server (or the tag)',
      }),
    ),
    checkServerId: Type.Optional(
      Id('the server whose agent checks the SQL before it is saved (run read-only, with the timeout)'),
    ),
    checkDatabase: Type.Optional(
      Text({
        maxLength: 63,
        description: "database-level probes: where to check (default: the server's maintenance database)",
      }),
    ),
  },
  { additionalProperties: false },
);
export type CustomProbeBody = Static<typeof CustomProbeBody>;

/** A column as a check found it: the name and the PostgreSQL type (pg_type.typname, or the OID). */
export const CheckedColumn = Type.Object({ name: Type.String(), pgType: Type.String() });

/**
 * What the agent's check of a custom probe found (the `custom-probe-check`
 * task's answer): ok, or PostgreSQL's error with its SQLSTATE and the
 * `position` (1-based character in the SQL text of `major`) when it gave
 * one, or the columns that differ from the declared ones.
 */
export const CustomProbeCheck = Type.Object({
  ok: Type.Boolean(),
  message: Type.String({ description: 'what the check found, for people' }),
  major: Type.Optional(Type.Integer({ description: "the server's PostgreSQL major" })),
  sqlKey: Type.Optional(
    Type.String({ description: 'the key of the SQL text that ran (the field sql.<key>)' }),
  ),
  sqlstate: Type.Optional(Type.String()),
  position: Type.Optional(
    Type.Integer({ description: 'PostgreSQL error position: 1-based character of the SQL text' }),
  ),
  columns: Type.Optional(Type.Array(CheckedColumn)),
  rows: Type.Optional(Type.Integer({ description: 'rows the SQL returned' })),
  sample: Type.Optional(
    Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'its first rows' }),
  ),
  elapsedMs: Type.Integer(),
});
export type CustomProbeCheck = Static<typeof CustomProbeCheck>;

/** The parameters of a `custom-probe-check` agent task. */
export interface CustomProbeCheckParams {
  serverId: number;
  /** Database to run in (database-level probes); default the binding's maintenance database. */
  database?: string;
  sql: Record<string, string>;
  columns: CustomProbeColumn[];
  timeoutMs: number;
}
