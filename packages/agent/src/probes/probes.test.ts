import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AGENT_PROBES, ALL_PROBES, SERVER_PROBES } from './catalog.js';
import { normalizeRow, normalizeValue } from './normalize.js';
import { majorOf, sqlForMajor } from './sql-for-major.js';
import type { Probe } from './types.js';

describe('probe definitions', () => {
  it('have unique names and the issue-2 set', () => {
    const names = ALL_PROBES.map((p) => p.name);
    assert.equal(new Set(names).size, names.length);
    for (const n of [
      'server_up',
      'server_info',
      'connections_by_state',
      'database_stats',
      'replication_lag',
      'cpu',
      'load_avg',
      'memory',
      'agent_status',
    ]) {
      assert.ok(names.includes(n), n);
    }
  });

  for (const p of ALL_PROBES) {
    it(`${p.name} is well formed`, () => {
      assert.match(p.name, /^[a-z][a-z0-9_]*$/);
      assert.ok(p.description.length > 0);
      assert.ok(p.intervalS > 0 && p.timeoutMs > 0);
      assert.ok((p.sql === undefined) !== (p.collector === undefined), 'exactly one of sql and collector');
      const cols = p.columns.map((c) => c.name);
      assert.equal(new Set(cols).size, cols.length, 'unique column names');
      for (const c of p.columns) {
        assert.match(c.name, /^[a-z][a-z0-9_]*$/);
        assert.ok(c.unit.length > 0, `${c.name} has a unit`);
        if (/_bytes$/.test(c.name)) assert.equal(c.unit, 'bytes', `${c.name} unit`);
        if (/_s$/.test(c.name)) assert.equal(c.unit, 's', `${c.name} unit`);
        if (/_ms$/.test(c.name)) assert.equal(c.unit, 'ms', `${c.name} unit`);
        if (/_pct$/.test(c.name)) assert.equal(c.unit, 'percent', `${c.name} unit`);
      }
      if (p.sql) {
        assert.equal(p.level, 'server');
        for (const major of [13, 14, 15, 16, 17]) assert.ok(sqlForMajor(p, major), `SQL for ${major}`);
        for (const sql of Object.values(p.sql)) {
          assert.doesNotMatch(sql, /;\s*$/, 'one statement, no trailing semicolon');
          // every declared column is produced by the SQL (as an alias or a plain column name)
          for (const c of cols) assert.match(sql, new RegExp(`\\b${c}\\b`), `${c} appears in the SQL`);
        }
      } else {
        assert.equal(p.level, 'agent');
      }
    });
  }

  it('orders server probes with server_up then server_info first', () => {
    assert.deepEqual(
      SERVER_PROBES.slice(0, 2).map((p) => p.name),
      ['server_up', 'server_info'],
    );
    assert.ok(AGENT_PROBES.every((p) => p.level === 'agent'));
  });

  it('records server_up=0 with the error on failure', () => {
    const p = SERVER_PROBES[0]!;
    assert.deepEqual(p.onError!('connection refused'), [{ up: 0, error: 'connection refused' }]);
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
