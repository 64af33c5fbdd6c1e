/**
 * `sequences` probe: how close each sequence is to its limit (docs/reference/metrics.md
 * family 15).
 *
 * Source: view-pg-sequences.html (`last_value` is NULL when the sequence was
 * never used or the role lacks USAGE/SELECT on it; `min_value`, `max_value`,
 * `increment_by`, `cycle`). `used_pct` is the share of the range used in the
 * direction of `increment_by`, NULL when `last_value` is NULL (computed in
 * numeric: bigint ranges do not overflow). Capped to the 100 most used.
 * Object = `database/schema.sequence`. 13-17.
 */
import { bool, gauge, pct, text } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT s.schemaname || '.' || s.sequencename AS sequence, s.data_type::text AS data_type,
       s.last_value, s.min_value, s.max_value, s.increment_by, s.cycle,
       CASE WHEN s.last_value IS NULL OR s.max_value = s.min_value THEN NULL
            WHEN s.increment_by > 0
            THEN (100.0 * (s.last_value::numeric - s.min_value) / (s.max_value::numeric - s.min_value))::float8
            ELSE (100.0 * (s.max_value::numeric - s.last_value) / (s.max_value::numeric - s.min_value))::float8
       END AS used_pct
  FROM pg_sequences s
 ORDER BY used_pct DESC NULLS LAST, sequence
 LIMIT 100`;

/** The `sequences` probe (database level): one row per sequence. */
export const sequencesProbe: Probe = {
  name: 'sequences',
  level: 'database',
  runsOn: 'both',
  intervalS: 300,
  timeoutMs: 15000,
  description: 'Sequences: last value, limits, share of the range used (top 100)',
  sql: { 13: SQL_13 },
  objectColumn: 'sequence',
  columns: [
    text('sequence'),
    text('data_type'),
    gauge('last_value', 'bigint', 'count'),
    gauge('min_value', 'bigint', 'count'),
    gauge('max_value', 'bigint', 'count'),
    gauge('increment_by', 'bigint', 'count'),
    bool('cycle'),
    pct('used_pct'),
  ],
};
