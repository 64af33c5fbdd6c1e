import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindingSslmode, isBackendNode } from './configure.js';

describe('configure: the server it registers', () => {
  const o = { hosts: ['127.0.1.200', '127.0.1.201'], hostAddress: '127.0.1.201' };

  it('is a PEM backend only at the local node or a -ho host (first-use review B5)', () => {
    assert.equal(isBackendNode('127.0.0.1', o), true);
    assert.equal(isBackendNode('localhost', o), true);
    assert.equal(isBackendNode('127.0.1.200', o), true);
    assert.equal(isBackendNode('127.0.1.201', { hosts: ['10.0.0.1'], hostAddress: '127.0.1.201' }), true);
    assert.equal(isBackendNode('127.0.2.10', o), false, 'a monitored server elsewhere');
    assert.equal(isBackendNode('db.example.com', { hosts: ['10.0.0.1'] }), false);
  });

  it('dials another host with verify-full, the local node over loopback with prefer', () => {
    assert.equal(bindingSslmode('127.0.2.10', o), 'verify-full');
    assert.equal(bindingSslmode('127.0.1.200', o), 'verify-full');
    assert.equal(bindingSslmode('127.0.0.1', o), 'prefer');
    assert.equal(bindingSslmode('127.0.1.201', o), 'prefer', "this host's own address");
  });
});
