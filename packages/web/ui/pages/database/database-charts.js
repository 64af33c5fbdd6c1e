// @ts-check
// The charts of one database of a server (its object in the per-database
// probes: database_activity, database_size, xid_wraparound; lib/chart-lines.js).
import { byField, hitRatio, perMinute } from '../../lib/chart-lines.js';

/** @type {readonly import('../../lib/chart-lines.js').Chart[]} */
export const DATABASE_CHARTS = [
  {
    id: 'db_tps',
    title: 'Transactions per second',
    unit: '/s',
    sources: [{ probe: 'database_activity', fields: ['xact_commit', 'xact_rollback'], mode: 'rate' }],
    lines: byField,
  },
  {
    id: 'db_cache_hit',
    title: 'Cache hit ratio',
    unit: '%',
    sources: [{ probe: 'database_activity', fields: ['blks_hit', 'blks_read'], mode: 'rate' }],
    lines: hitRatio,
  },
  {
    id: 'db_tuples',
    title: 'Rows inserted, updated, deleted per second',
    unit: '/s',
    sources: [
      { probe: 'database_activity', fields: ['tup_inserted', 'tup_updated', 'tup_deleted'], mode: 'rate' },
    ],
    lines: byField,
  },
  {
    id: 'db_temp',
    title: 'Temporary files written',
    unit: 'bytes/s',
    sources: [{ probe: 'database_activity', fields: ['temp_bytes'], mode: 'rate' }],
    lines: byField,
  },
  {
    id: 'db_deadlocks',
    title: 'Deadlocks and recovery conflicts per minute',
    unit: '/min',
    sources: [{ probe: 'database_activity', fields: ['deadlocks', 'conflicts'], mode: 'rate' }],
    lines: perMinute(byField),
  },
  {
    id: 'db_size',
    title: 'Size',
    unit: 'bytes',
    sources: [{ probe: 'database_size', fields: ['size_bytes'], mode: 'gauge' }],
    lines: byField,
  },
  {
    id: 'db_xid_age',
    title: 'Transaction and multixact ID age (freeze)',
    unit: 'count',
    sources: [{ probe: 'xid_wraparound', fields: ['xid_age', 'mxid_age'], mode: 'gauge' }],
    lines: byField,
  },
];
