import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadOrCreateSecrets, secretsPath } from './secrets.js';

describe("the lab's secrets", () => {
  test('a lab directory of an older Pharos gets the missing passwords added, the others kept, mode 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-lab-secrets-'));
    try {
      writeFileSync(secretsPath(dir), JSON.stringify({ patroni_super: 'kept', pemsuper: 'kept too' }), {
        mode: 0o600,
      });
      const s = loadOrCreateSecrets(dir);
      assert.equal(s.patroni_super, 'kept');
      assert.equal(s.pemsuper, 'kept too');
      for (const name of ['patroni_restapi', 'etcd_root', 'etcd_patroni'] as const) {
        assert.match(s[name], /^[A-Za-z0-9_-]{32}$/, name);
      }
      assert.deepEqual(JSON.parse(readFileSync(secretsPath(dir), 'utf8')), s);
      assert.equal(statSync(secretsPath(dir)).mode & 0o777, 0o600);
      assert.deepEqual(loadOrCreateSecrets(dir), s, 'stable once complete');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
