/**
 * JSON schemas of GET /api/servers/:id/series (request and answer); the
 * OpenAPI document is generated from them.
 */
import { DEFAULT_POINTS, MAX_POINTS, MIN_POINTS } from './series-range.js';

/** A probe or field name: lower-case identifier. */
export const NAME_PATTERN = '^[a-z_][a-z0-9_]{0,62}$';

/** `:id` of the /api/servers/:id routes. */
export const serverIdParamsSchema = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, description: 'pem.server.id' } },
  required: ['id'],
} as const;

/** Query string of the series route. */
export const seriesQuerySchema = {
  type: 'object',
  properties: {
    probe: { type: 'string', pattern: NAME_PATTERN, description: 'probe name, e.g. database_stats' },
    fields: {
      type: 'string',
      pattern: '^[a-z_][a-z0-9_]{0,62}(,[a-z_][a-z0-9_]{0,62}){0,7}$',
      description: 'comma-separated field names of the probe value (1 to 8), e.g. xact_commit,xact_rollback',
    },
    mode: {
      type: 'string',
      enum: ['gauge', 'rate'],
      default: 'gauge',
      description: 'gauge: avg/min/max per bucket; rate: per-second increase of a counter (never negative)',
    },
    from: { type: 'string', format: 'date-time', description: 'start (default: `to` - 1 hour)' },
    to: { type: 'string', format: 'date-time', description: 'end (default: now)' },
    points: {
      type: 'integer',
      minimum: MIN_POINTS,
      maximum: MAX_POINTS,
      default: DEFAULT_POINTS,
      description: 'most buckets per series (the width of the chart in pixels is a good choice)',
    },
    object: { type: 'string', maxLength: 200, description: 'only this object (e.g. one standby)' },
  },
  required: ['probe', 'fields'],
  additionalProperties: false,
} as const;

const numbers = { type: 'array', items: { type: ['number', 'null'] } } as const;

/** Answer of the series route. */
export const seriesSchema = {
  type: 'object',
  properties: {
    serverId: { type: 'integer' },
    probe: { type: 'string' },
    mode: { type: 'string', enum: ['gauge', 'rate'] },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    bucketS: { type: 'integer', description: 'width of one bucket, seconds' },
    t: { type: 'array', items: { type: 'number' }, description: 'bucket starts, seconds since the epoch' },
    series: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          object: { type: 'string' },
          field: { type: 'string' },
          values: { ...numbers, description: 'avg (gauge) or rate per second (rate); null = no data' },
          min: numbers,
          max: numbers,
          resets: { type: 'integer', description: 'counter resets left out of the rate' },
        },
        required: ['object', 'field', 'values'],
      },
    },
    truncated: { type: 'boolean' },
  },
  required: ['serverId', 'probe', 'mode', 'from', 'to', 'bucketS', 't', 'series', 'truncated'],
} as const;

export { DEFAULT_POINTS };
