import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { labEtcdEndpoints, setWebEtcdEndpoints } from './configure-steps.js';
import type { UpContext } from './context.js';

describe('lab web configuration', () => {
  it("lists the lab's etcd members as client URLs (IPv6 in brackets), https when secured", () => {
    const ctx = (infrastructure_security: string) =>
      ({
        topo: {
          infrastructure_security,
          etcd: [
            { name: 'etcd-node-1', address: '127.0.1.111' },
            { name: 'etcd-node-2', address: 'fd00::12' },
          ],
        },
      }) as unknown as Pick<UpContext, 'topo'>;
    assert.deepEqual(labEtcdEndpoints(ctx('reference-open')), [
      'http://127.0.1.111:2379',
      'http://[fd00::12]:2379',
    ]);
    assert.deepEqual(labEtcdEndpoints(ctx('secured')), [
      'https://127.0.1.111:2379',
      'https://[fd00::12]:2379',
    ]);
  });

  it('adds etcd_endpoints to the web.yml configure wrote, keeping its other keys and its mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-lab-web-yml-'));
    try {
      const file = join(dir, 'web.yml');
      writeFileSync(file, '# Written by pharos configure.\nlisten_address: 127.0.1.7\nport: 8443\n', {
        mode: 0o600,
      });
      setWebEtcdEndpoints(file, ['http://127.0.1.111:2379', 'http://127.0.1.112:2379']);
      const text = readFileSync(file, 'utf8');
      assert.match(text, /^# Written by pharos configure\./);
      assert.deepEqual(parse(text), {
        listen_address: '127.0.1.7',
        port: 8443,
        etcd_endpoints: ['http://127.0.1.111:2379', 'http://127.0.1.112:2379'],
      });
      assert.equal(statSync(file).mode & 0o777, 0o600);
      setWebEtcdEndpoints(file, ['http://127.0.1.113:2379']);
      assert.deepEqual(
        parse(readFileSync(file, 'utf8')).etcd_endpoints,
        ['http://127.0.1.113:2379'],
        'replaced, not added',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
