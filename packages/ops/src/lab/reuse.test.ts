import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { removeStoppedLab } from './reuse.js';

/** A stopped lab's directory as lab up leaves it, plus a file of the user's. */
function stoppedLab(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-lab-reuse-'));
  for (const d of [
    'pki',
    '.cache/pharos',
    'etcd-node-1/etcd-data/member',
    'pem-backend-1/data',
    'db-host-1/data',
  ])
    mkdirSync(join(dir, d), { recursive: true });
  for (const f of ['lab.json', 'secrets.json', 'pki/ca.key', 'etcd-node-1/etcd.conf', 'notes.txt'])
    writeFileSync(join(dir, f), 'x');
  return dir;
}

describe('lab up in a stopped lab’s directory', () => {
  test('removes the lab’s entries and the named hosts’ directories, and nothing else', () => {
    const dir = stoppedLab();
    try {
      const topology = join(dir, 'my.topology.yml');
      writeFileSync(topology, 'x');
      const removed = removeStoppedLab(
        dir,
        ['etcd-node-1', 'pem-backend-1', 'db-host-1', 'db-host-1'],
        topology,
      );
      assert.equal(removed.length, 8, 'five lab entries, three hosts once each');
      assert.deepEqual(readdirSync(dir).sort(), ['my.topology.yml', 'notes.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses, removing nothing, when the topology file lies in what it would remove', () => {
    const dir = stoppedLab();
    try {
      const topology = join(dir, 'pem-backend-1', 'topology.yml');
      writeFileSync(topology, 'x');
      assert.throws(
        () => removeStoppedLab(dir, ['etcd-node-1', 'pem-backend-1'], topology),
        (err: Error & { code?: string }) =>
          err.code === 'PHAROS_LAB_TOPOLOGY_IN_DATA' && err.message.includes(join(dir, 'pem-backend-1')),
      );
      assert.ok(existsSync(join(dir, 'lab.json')), 'nothing removed');
      assert.ok(existsSync(join(dir, 'etcd-node-1', 'etcd.conf')), 'nothing removed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a host name that is not one path segment is refused before anything is removed', () => {
    const dir = stoppedLab();
    try {
      assert.throws(() => removeStoppedLab(dir, ['..'], join(dir, 'x.yml')), /not a lab entry name/);
      assert.throws(() => removeStoppedLab(dir, ['a/b'], join(dir, 'x.yml')), /not a lab entry name/);
      assert.ok(existsSync(join(dir, 'lab.json')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
