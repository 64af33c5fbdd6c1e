/** Shapes of GET /api/servers/:id/series (series.ts, series-query.ts). */
import { type Static, Type } from 'typebox';
import { DEFAULT_POINTS, MAX_POINTS, MIN_POINTS } from '../series-range.js';
import { DateTime, NAME_PATTERN, Nullable, Text } from './common.js';

const MODE_DESCRIPTION =
  'gauge: avg/min/max per bucket; rate: per-second increase of a counter (never negative)';

/** `gauge`: avg/min/max per bucket; `rate`: per-second increase of a counter per bucket. */
export const SeriesMode = Type.Union([Type.Literal('gauge'), Type.Literal('rate')], {
  description: MODE_DESCRIPTION,
});
export type SeriesMode = Static<typeof SeriesMode>;

/** Query string of the series route. */
export const SeriesQuery = Type.Object(
  {
    probe: Type.String({ pattern: NAME_PATTERN, description: 'probe name, e.g. database_stats' }),
    fields: Type.String({
      pattern: '^[a-z_][a-z0-9_]{0,62}(,[a-z_][a-z0-9_]{0,62}){0,7}$',
      description: 'comma-separated field names of the probe value (1 to 8), e.g. xact_commit,xact_rollback',
    }),
    mode: Type.Optional(
      Type.Union([Type.Literal('gauge'), Type.Literal('rate')], {
        default: 'gauge',
        description: MODE_DESCRIPTION,
      }),
    ),
    from: Type.Optional(DateTime('start (default: `to` - 1 hour)')),
    to: Type.Optional(DateTime('end (default: now)')),
    points: Type.Optional(
      Type.Integer({
        minimum: MIN_POINTS,
        maximum: MAX_POINTS,
        default: DEFAULT_POINTS,
        description: 'most buckets per series (the width of the chart in pixels is a good choice)',
      }),
    ),
    object: Type.Optional(Text({ maxLength: 200, description: 'only this object (e.g. one standby)' })),
  },
  { additionalProperties: false },
);
export type SeriesQuery = Static<typeof SeriesQuery>;

const Numbers = Type.Array(Nullable(Type.Number()));

/** One series: a field of an object, aligned with the answer's `t`. */
export const Series = Type.Object({
  object: Type.String(),
  field: Type.String(),
  values: Type.Array(Nullable(Type.Number()), {
    description: 'avg (gauge) or rate per second (rate) per bucket; null = no data',
  }),
  min: Type.Optional(Numbers),
  max: Type.Optional(Numbers),
  resets: Type.Optional(Type.Integer({ description: 'counter resets left out of the rate' })),
});
export type Series = Static<typeof Series>;

/** Answer of the series route. */
export const SeriesAnswer = Type.Object({
  serverId: Type.Integer(),
  probe: Type.String(),
  mode: SeriesMode,
  from: DateTime(),
  to: DateTime(),
  bucketS: Type.Integer({ description: 'width of one bucket, seconds' }),
  t: Type.Array(Type.Number(), { description: 'bucket starts, seconds since the epoch' }),
  series: Type.Array(Series),
  truncated: Type.Boolean({ description: 'more than MAX_SERIES series existed; the first ones are given' }),
});
export type SeriesAnswer = Static<typeof SeriesAnswer>;
