/** Shapes of GET /api/servers/:id/top-sql (top-sql.ts, top-sql-query.ts; issue 17). */
import { type Static, Type } from 'typebox';
import { DateTime, Nullable } from './common.js';

/** What Top SQL can be ordered by, and the column that orders it. */
export const TOP_SQL_ORDERS = {
  total_time: 'total_exec_time_ms',
  calls: 'calls',
  mean_time: 'mean_exec_time_ms',
  rows: 'rows',
  shared_blks_read: 'shared_blks_read',
} as const;
export type TopSqlOrder = keyof typeof TOP_SQL_ORDERS;

/** Most statements one answer lists. */
export const MAX_TOP_SQL = 100;

/** What Top SQL can be ordered by (the keys of TOP_SQL_ORDERS). */
export const TopSqlOrderSchema = Type.Enum(Object.keys(TOP_SQL_ORDERS) as (keyof typeof TOP_SQL_ORDERS)[], {
  description: 'what the statements are ordered by, largest first',
});

/** Query of GET /api/servers/:id/top-sql. */
export const TopSqlQuery = Type.Object(
  {
    from: Type.Optional(DateTime('start (default: `to` - 1 hour)')),
    to: Type.Optional(DateTime('end (default: now)')),
    order: Type.Optional(
      Type.Enum(Object.keys(TOP_SQL_ORDERS) as (keyof typeof TOP_SQL_ORDERS)[], {
        default: 'total_time',
        description: 'what the statements are ordered by, largest first',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TOP_SQL, default: 25 })),
  },
  { additionalProperties: false },
);

/** One statement's activity over the range. */
export const TopSqlRow = Type.Object({
  key: Type.String({ description: 'database/role/queryid[/nested]: the object of the statements probe' }),
  queryid: Nullable(Type.String()),
  database: Nullable(Type.String()),
  role: Nullable(Type.String()),
  toplevel: Nullable(Type.Boolean()),
  calls: Type.Number(),
  totalExecTimeMs: Type.Number(),
  meanExecTimeMs: Nullable(Type.Number({ description: 'total / calls over the range; null without calls' })),
  rows: Type.Number(),
  sharedBlksHit: Type.Number(),
  sharedBlksRead: Type.Number(),
  tempBlksWritten: Type.Number(),
  query: Nullable(
    Type.String({ description: 'normalised text (null until the statement_texts probe read it)' }),
  ),
  resets: Type.Integer({ description: 'resets seen in the range (the counters restarted from zero)' }),
});
export type TopSqlRow = Static<typeof TopSqlRow>;

/** Answer of GET /api/servers/:id/top-sql. */
export const TopSqlAnswer = Type.Object({
  serverId: Type.Integer(),
  from: DateTime(),
  to: DateTime(),
  order: TopSqlOrderSchema,
  samples: Type.Integer({ description: 'samples of the statements probe in the range (0: no data)' }),
  lastCollectedAt: Nullable(DateTime('the newest sample of the statements probe (any time); null: never')),
  statements: Type.Array(TopSqlRow),
});
export type TopSqlAnswer = Static<typeof TopSqlAnswer>;
