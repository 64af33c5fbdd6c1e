/**
 * The backend's probe catalogue (packages/backend/sql/catalogue/probes.sql)
 * is exactly what this package's probe definitions generate: a probe changed
 * without generating the file again fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SQL_DIR } from '@pharos/backend/migrations/run';
import { ALL_PROBES } from './catalog.js';
import { probeCatalogueSql } from './catalogue-sql.js';

describe('the probe catalogue the backend ships', () => {
  it('is generated from the probe definitions', () => {
    const file = join(SQL_DIR, 'catalogue', 'probes.sql');
    assert.equal(
      readFileSync(file, 'utf8'),
      probeCatalogueSql(ALL_PROBES),
      `${file} is not what the probe definitions give: run \`npm run build && node scripts/probe-catalogue.mjs\``,
    );
  });

  it('holds every probe once', () => {
    const names = [
      ...readFileSync(join(SQL_DIR, 'catalogue', 'probes.sql'), 'utf8').matchAll(/^ {2}\{"name":"(\w+)"/gm),
    ].map((m) => m[1]);
    assert.deepEqual(
      names,
      ALL_PROBES.map((p) => p.name),
    );
    assert.equal(new Set(names).size, names.length);
  });
});
