// checkDefinition: each rule refuses with PHAROS_PROBE_INVALID naming its field, and a good body
// comes back complete (defaults filled, trailing semicolons left out, counter flags explicit).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PharosError } from '@pharos/core/errors';
import type { CustomProbeBody } from './custom-probe-shapes.js';
import { checkDefinition, fieldOfCheck } from './custom-probes.js';

const good: CustomProbeBody = {
  name: 'custom_orders_queue',
  level: 'server',
  sql: { '13': 'SELECT state, count(*) AS orders FROM q GROUP BY state;\n' },
  columns: [
    { name: 'state', type: 'text', unit: 'text' },
    { name: 'orders', type: 'bigint', unit: 'count' },
  ],
  objectColumn: 'state',
  checkServerId: 3,
};

const fieldOf = (b: CustomProbeBody) => {
  try {
    checkDefinition(b);
  } catch (err) {
    assert.ok(err instanceof PharosError);
    assert.equal(err.code, 'PHAROS_PROBE_INVALID');
    assert.ok(err.message.startsWith(`${err.field}: `), err.message);
    return err.field;
  }
  return undefined;
};

describe('custom probe definitions', () => {
  it('completes a good definition', () => {
    assert.deepEqual(checkDefinition(good), {
      name: 'custom_orders_queue',
      level: 'server',
      description: '',
      sql: { '13': 'SELECT state, count(*) AS orders FROM q GROUP BY state' },
      columns: [
        { name: 'state', type: 'text', unit: 'text', counter: false },
        { name: 'orders', type: 'bigint', unit: 'count', counter: false },
      ],
      objectColumn: 'state',
      intervalS: 60,
      timeoutMs: 5000,
      runsOn: 'both',
      enabled: true,
      runTag: null,
      runServerIds: null,
    });
  });

  it('refuses each bad field, naming it', () => {
    assert.equal(fieldOf({ ...good, name: 'orders' }), 'name');
    assert.equal(fieldOf({ ...good, name: 'custom_' }), 'name');
    assert.equal(fieldOf({ ...good, level: undefined }), 'level');
    assert.equal(fieldOf({ ...good, sql: {} }), 'sql');
    assert.equal(fieldOf({ ...good, sql: { '12': 'SELECT 1' } }), 'sql');
    assert.equal(fieldOf({ ...good, sql: { '13': ' ;\n' } }), 'sql');
    assert.equal(fieldOf({ ...good, columns: [] }), 'columns');
    assert.equal(fieldOf({ ...good, columns: [good.columns![0]!, good.columns![0]!] }), 'columns');
    assert.equal(
      fieldOf({ ...good, columns: [{ name: 'state', type: 'text', unit: 'text', counter: true }] }),
      'columns',
    );
    assert.equal(fieldOf({ ...good, objectColumn: 'nope' }), 'objectColumn');
    assert.equal(fieldOf({ ...good, intervalS: 0 }), 'intervalS');
    assert.equal(fieldOf({ ...good, timeoutMs: 60_001 }), 'timeoutMs');
    assert.equal(fieldOf({ ...good, runTag: 'billing', runServerIds: [1] }), 'runTag');
    assert.equal(fieldOf(good), undefined);
  });

  it('points a failed check at the SQL, the columns or the server', () => {
    assert.equal(
      fieldOfCheck({ ok: false, message: '', sqlKey: '13', sqlstate: '42601', elapsedMs: 1 }),
      'sql',
    );
    assert.equal(
      fieldOfCheck({ ok: false, message: '', sqlKey: '13', columns: [], elapsedMs: 1 }),
      'columns',
    );
    assert.equal(fieldOfCheck({ ok: false, message: '', elapsedMs: 1 }), 'checkServerId');
  });
});
