import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { undescribedFields } from '@pharos/core/settings';
import { renderSettingsDoc, SETTINGS_FILES } from './settings-doc.js';

const DOC = new URL('../../../../docs/settings.md', import.meta.url).pathname;

describe('docs/settings.md', () => {
  test('every field of every settings file has a description', () => {
    for (const s of SETTINGS_FILES) assert.deepEqual(undescribedFields(s.file), [], s.title);
  });

  test('is what the declarations say (regenerate: node scripts/settings-doc.mjs)', () => {
    assert.equal(readFileSync(DOC, 'utf8'), renderSettingsDoc());
  });

  test('lists every field, defaults included', () => {
    const doc = renderSettingsDoc();
    for (const field of [
      '`spool_max_bytes`',
      '`session_ttl_s`',
      '`patroni.retry_timeout`',
      '`etcd[].address`',
    ])
      assert.ok(doc.includes(`| ${field} |`), field);
    assert.match(doc, /\| `spool_max_bytes` \| integer \(≥ 65536\) \| no \| `67108864` \|/);
  });
});
