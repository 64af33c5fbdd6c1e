/**
 * `replication_slot_stats` probe: logical decoding statistics per slot
 * (docs/reference/metrics.md family 7).
 *
 * Source: monitoring-stats.html#MONITORING-PG-STAT-REPLICATION-SLOTS-VIEW,
 * 14+ (no SQL for 13): `spill_txns`, `spill_count`, `spill_bytes`,
 * `stream_txns`, `stream_count`, `stream_bytes`, `total_txns`,
 * `total_bytes`, `stats_reset`. Logical slots only. Object = slot name.
 */
import { counter, text, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_14 = `
SELECT slot_name, spill_txns, spill_count, spill_bytes, stream_txns, stream_count, stream_bytes,
       total_txns, total_bytes, stats_reset
  FROM pg_stat_replication_slots
 ORDER BY slot_name`;

/** The `replication_slot_stats` probe (14+): one row per logical slot. */
export const replicationSlotStatsProbe: Probe = {
  name: 'replication_slot_stats',
  level: 'server',
  runsOn: 'both',
  intervalS: 60,
  timeoutMs: 5000,
  description: 'Logical decoding per slot: transactions spilled, streamed and decoded (14+)',
  sql: { 14: SQL_14 },
  objectColumn: 'slot_name',
  columns: [
    text('slot_name'),
    counter('spill_txns', 'transactions'),
    counter('spill_count'),
    counter('spill_bytes', 'bytes'),
    counter('stream_txns', 'transactions'),
    counter('stream_count'),
    counter('stream_bytes', 'bytes'),
    counter('total_txns', 'transactions'),
    counter('total_bytes', 'bytes'),
    timestamp('stats_reset'),
  ],
};
