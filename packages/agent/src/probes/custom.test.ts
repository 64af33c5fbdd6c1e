// How an agent runs a custom probe (custom.ts): the wrapper, the error position mapped back to the
// administrator's text, the column checks, and that the units and types the API offers are the
// agent's (a unit a built-in probe uses is offered too).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COLUMN_TYPES, COLUMN_UNITS } from '@pharos/backend/probes/custom-probe-shapes';
import { ALL_PROBES } from './catalog.js';
import {
  CUSTOM_PREFIX,
  columnMismatches,
  customProbeFromRow,
  MAX_CUSTOM_ROWS,
  positionInText,
  wrapCustomSql,
} from './custom.js';

describe('custom probes in the agent', () => {
  it('wraps the text in a subquery with the row limit as a parameter, without trailing semicolons', () => {
    assert.equal(
      wrapCustomSql('SELECT 1 AS n;\n'),
      'SELECT * FROM (\nSELECT 1 AS n\n) AS custom_probe LIMIT $1',
    );
    const p = customProbeFromRow({
      name: 'custom_x',
      level: 'database',
      runs_on: 'primary',
      interval_s: 30,
      timeout_ms: 2000,
      sql: { '13': 'SELECT 1 AS n', '16': 'SELECT 2 AS n' },
      columns: [{ name: 'n', type: 'integer', unit: 'count' }],
      object_column: null,
      description: 'x',
      server_ids: [1],
    });
    assert.deepEqual(p.sqlParams, [MAX_CUSTOM_ROWS]);
    assert.equal(p.sql?.[16], wrapCustomSql('SELECT 2 AS n'));
    assert.equal(p.custom, true);
    assert.equal(p.objectColumn, undefined);
  });

  it("maps PostgreSQL's position to the administrator's text", () => {
    const text = 'SELECT nope';
    const at = CUSTOM_PREFIX.length + 8; // 'nope' in the wrapped statement
    assert.equal(positionInText(String(at), text.length), 8);
    assert.equal(positionInText(String(CUSTOM_PREFIX.length + text.length + 5), text.length), text.length);
    assert.equal(positionInText('3', text.length), undefined);
    assert.equal(positionInText(undefined, text.length), undefined);
  });

  it('names every column that differs from the declared ones', () => {
    const declared = [
      { name: 'state', type: 'text' as const },
      { name: 'orders', type: 'bigint' as const },
      { name: 'at', type: 'timestamptz' as const },
    ];
    assert.deepEqual(
      columnMismatches(declared, [
        { name: 'state', dataTypeID: 23 },
        { name: 'orders', dataTypeID: 1700 },
        { name: 'at', dataTypeID: 1184 },
      ]),
      [],
    );
    assert.deepEqual(
      columnMismatches(declared, [
        { name: 'state', dataTypeID: 25 },
        { name: 'orders', dataTypeID: 25 },
        { name: 'extra', dataTypeID: 23 },
      ]),
      [
        'orders is text, which a bigint column cannot store (cast it in the SQL)',
        'declared column at is not returned',
        'the SQL returns extra, which is not declared',
      ],
    );
  });

  it("offers the agent's column types and every unit the built-in probes use", () => {
    for (const p of ALL_PROBES)
      for (const c of p.columns) {
        assert.ok((COLUMN_TYPES as readonly string[]).includes(c.type), `${p.name}.${c.name}: ${c.type}`);
        assert.ok((COLUMN_UNITS as readonly string[]).includes(c.unit), `${p.name}.${c.name}: ${c.unit}`);
      }
  });
});
