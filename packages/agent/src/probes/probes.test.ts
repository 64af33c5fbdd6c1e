import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogJson } from '../backend-link/backend-sync.js';
import { AGENT_PROBES, ALL_PROBES, DATABASE_PROBES, PROBES_BY_NAME, SERVER_PROBES } from './catalog.js';
import { normalizeRow, normalizeValue } from './normalize.js';
import { compareVersions, majorOf, quoteIdent, sqlForExtension, sqlForMajor } from './sql-for-major.js';
import { rowsToSamples } from './to-samples.js';
import type { Probe } from './types.js';

/** Probes whose SQL starts at a later major (they do not exist before it). */
const FIRST_MAJOR: Record<string, number> = { io: 16, replication_slot_stats: 14 };

describe('probe definitions', () => {
  it('have unique names and cover docs/reference/metrics.md families 1-19 and the OS', () => {
    const names = ALL_PROBES.map((p) => p.name);
    assert.equal(new Set(names).size, names.length);
    const expected = [
      // 1 availability and identity
      'server_up',
      'server_info',
      // 2 databases
      'database_stats',
      'database_activity',
      'database_size',
      // 3 sessions
      'connections_by_state',
      'session_activity',
      'backends_by_type',
      'wait_events',
      'blocked_sessions',
      // 4 checkpointer and background writer
      'checkpointer',
      'bgwriter',
      // 5 WAL
      'wal',
      'wal_files',
      'wal_archive',
      // 6 I/O
      'io',
      'table_io',
      // 7 replication
      'replication_lag',
      'replication_slots',
      'replication_slot_stats',
      'replication_conflicts',
      // 8 locks
      'locks',
      // 9 tables and indexes
      'table_stats',
      'index_stats',
      // 10 bloat
      'table_bloat',
      // 11 vacuum and wraparound
      'xid_wraparound',
      'vacuum_progress',
      // 12 statements
      'statements',
      'statements_info',
      // 13 functions
      'function_stats',
      // 14 configuration
      'settings',
      'hba_rules',
      // 15 sequences
      'sequences',
      // 16 SSL
      'ssl',
      // 17 OS
      'cpu',
      'load_avg',
      'memory',
      'swap',
      'disk_space',
      'disk_io',
      'network',
      'os_info',
      // 18 HA stack
      'patroni_cluster',
      'patroni_node',
      // 19 the monitor itself
      'agent_status',
      'probe_stats',
      // docs/reference/pem-facts.md §4 besides
      'prepared_xacts',
      'user_info',
      'tablespace_size',
    ];
    for (const n of expected) assert.ok(names.includes(n), n);
    assert.ok(SERVER_PROBES.every((p) => p.level === 'server'));
    assert.ok(DATABASE_PROBES.every((p) => p.level === 'database'));
    assert.ok(AGENT_PROBES.every((p) => p.level === 'agent'));
    assert.equal(PROBES_BY_NAME.get('locks')?.name, 'locks');
  });

  for (const p of ALL_PROBES) {
    it(`${p.name} is well formed`, () => {
      assert.match(p.name, /^[a-z][a-z0-9_]*$/);
      assert.ok(p.description.length > 0);
      assert.ok(p.intervalS > 0 && p.timeoutMs > 0);
      const kinds = [p.sql, p.extensionSql, p.http, p.collector].filter((x) => x !== undefined);
      assert.equal(kinds.length, 1, 'exactly one of sql, extensionSql, http, collector');
      const cols = p.columns.map((c) => c.name);
      assert.equal(new Set(cols).size, cols.length, 'unique column names');
      for (const c of p.columns) {
        assert.match(c.name, /^[a-z][a-z0-9_]*$/);
        if (/_bytes$/.test(c.name)) assert.equal(c.unit, 'bytes', `${c.name} unit`);
        if (/_s$/.test(c.name)) assert.equal(c.unit, 's', `${c.name} unit`);
        if (/_ms$/.test(c.name)) assert.equal(c.unit, 'ms', `${c.name} unit`);
        if (/_pct$/.test(c.name)) assert.equal(c.unit, 'percent', `${c.name} unit`);
        if (c.unit === 'percent' || c.unit === 's') assert.equal(c.type, 'double', `${c.name} is a double`);
        if (c.counter) assert.ok(['bigint', 'double'].includes(c.type), `${c.name}: a counter is a number`);
      }
      if (p.objectColumn !== undefined) assert.ok(p.objectColumn.length > 0);
      const texts = p.sql
        ? Object.values(p.sql)
        : p.extensionSql
          ? Object.values(p.extensionSql.byVersion)
          : [];
      for (const sql of texts) {
        assert.doesNotMatch(sql, /;\s*$/, 'one statement, no trailing semicolon');
        for (const c of cols) assert.match(sql, new RegExp(`\\b${c}\\b`), `${c} appears in the SQL`);
        if (p.objectColumn)
          assert.match(sql, new RegExp(`\\b${p.objectColumn}\\b`), 'the object column is produced');
        assert.doesNotMatch(sql, /\b(insert|update|delete|create|alter|drop|truncate)\s/i, 'read-only');
      }
      if (p.sql) {
        assert.ok(p.level === 'server' || p.level === 'database');
        for (const major of [13, 14, 15, 16, 17]) {
          const exists = sqlForMajor(p, major) !== undefined;
          assert.equal(exists, major >= (FIRST_MAJOR[p.name] ?? 13), `SQL for ${major}`);
        }
      }
      if (p.extensionSql) {
        assert.equal(p.level, 'server');
        for (const sql of texts) assert.match(sql, /\{\{schema\}\}\./, 'the extension schema is qualified');
      }
      if (p.http) assert.equal(p.level, 'server');
      if (p.collector) assert.equal(p.level, 'agent');
    });
  }

  it('orders server probes with server_up then server_info first', () => {
    assert.deepEqual(
      SERVER_PROBES.slice(0, 2).map((p) => p.name),
      ['server_up', 'server_info'],
    );
  });

  it('records server_up=0 with the error on failure', () => {
    const p = SERVER_PROBES[0]!;
    assert.deepEqual(p.onError!('connection refused'), [{ up: 0, error: 'connection refused' }]);
  });

  it('marks slowly changing probes for change-point history, and Patroni probes for PEM backends', () => {
    const changes = ALL_PROBES.filter((p) => p.history === 'changes').map((p) => p.name);
    assert.deepEqual(changes.sort(), [
      'hba_rules',
      'os_info',
      'server_info',
      'settings',
      'statement_texts',
      'user_info',
    ]);
    assert.deepEqual(
      ALL_PROBES.filter((p) => p.defaultOn === 'pem_backends').map((p) => p.name),
      ['patroni_cluster', 'patroni_node'],
    );
  });

  it('describes the catalog for the backend (pem.agent_sync_probes)', () => {
    const j = catalogJson(ALL_PROBES);
    const db = j.find((x) => x.name === 'database_stats')!;
    assert.equal(db.level, 'server');
    assert.equal(db.history_mode, 'all');
    assert.ok((db.counter_columns as string[]).includes('xact_commit'));
    assert.ok(!(db.counter_columns as string[]).includes('hit_ratio_pct'));
    const hba = j.find((x) => x.name === 'hba_rules')!;
    assert.equal(hba.enabled, false);
    assert.equal(hba.history_mode, 'changes');
    assert.equal(j.find((x) => x.name === 'statements')!.retention_days, 30);
    assert.equal(j.find((x) => x.name === 'patroni_node')!.enabled_on, 'pem_backends');
  });
});

describe('sqlForMajor', () => {
  const p: Probe = {
    name: 'x',
    level: 'server',
    runsOn: 'both',
    intervalS: 1,
    timeoutMs: 1,
    description: 'x',
    columns: [],
    sql: { 13: 'A', 16: 'B', 17: 'C' },
  };
  it('picks the highest key not above the major', () => {
    assert.equal(sqlForMajor(p, 13), 'A');
    assert.equal(sqlForMajor(p, 15), 'A');
    assert.equal(sqlForMajor(p, 16), 'B');
    assert.equal(sqlForMajor(p, 18), 'C');
    assert.equal(sqlForMajor(p, 12), undefined);
  });
  it('derives the major from server_version_num', () => {
    assert.equal(majorOf(150004), 15);
    assert.equal(majorOf(170000), 17);
  });
});

describe('sqlForExtension', () => {
  const p: Probe = {
    name: 'x',
    level: 'server',
    runsOn: 'both',
    intervalS: 1,
    timeoutMs: 1,
    description: 'x',
    columns: [],
    extensionSql: {
      extension: 'e',
      byVersion: { '1.4': 'a {{schema}}.v', '1.9': 'b', '1.10': 'c {{schema}}.f()' },
    },
  };
  it('compares versions numerically', () => {
    assert.ok(compareVersions('1.10', '1.9') > 0);
    assert.ok(compareVersions('1.8', '1.10') < 0);
    assert.equal(compareVersions('1.10', '1.10.0'), 0);
  });
  it('picks the text of the installed version, with the schema quoted', () => {
    assert.equal(sqlForExtension(p, '1.7', 'public'), 'a "public".v');
    assert.equal(sqlForExtension(p, '1.9', 'public'), 'b');
    assert.equal(sqlForExtension(p, '1.11', 'my "ext"'), 'c "my ""ext""".f()');
    assert.equal(sqlForExtension(p, '1.3', 'public'), undefined);
    assert.equal(quoteIdent('a"b'), '"a""b"');
  });
});

describe('rowsToSamples', () => {
  it('prefixes objects of database probes with the database', () => {
    const probe = PROBES_BY_NAME.get('table_stats')!;
    const [s] = rowsToSamples(probe, [{ relation: 'public.t', total_bytes: '8192' }], 3, new Date(0), 'app/');
    assert.equal(s!.object, 'app/public.t');
    assert.equal(s!.value.total_bytes, 8192);
    assert.equal(s!.value.seq_scan, null);
    assert.equal(s!.serverId, 3);
  });
});

describe('normalize', () => {
  it('types driver values by column', () => {
    assert.equal(normalizeValue('12345', 'bigint'), 12345);
    assert.equal(normalizeValue('99999999999999999999', 'bigint'), '99999999999999999999');
    assert.equal(normalizeValue('1.5', 'double'), 1.5);
    assert.equal(normalizeValue('NaN', 'double'), null);
    assert.equal(normalizeValue(new Date('2024-01-01T00:00:00Z'), 'timestamptz'), '2024-01-01T00:00:00.000Z');
    assert.equal(normalizeValue('t', 'boolean'), true);
    assert.equal(normalizeValue(null, 'text'), null);
    assert.equal(normalizeValue('a\u0000b', 'text'), 'ab');
    assert.equal(normalizeValue('0/3000060', 'lsn'), '0/3000060');
  });
  it('keeps declared columns only, missing ones as null', () => {
    assert.deepEqual(
      normalizeRow({ a: '1', extra: 2 }, [
        { name: 'a', type: 'integer', unit: 'count' },
        { name: 'b', type: 'text', unit: 'text' },
      ]),
      { a: 1, b: null },
    );
  });
});
