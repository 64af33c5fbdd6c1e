import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { hashSessionId, isSessionIdShape, newCsrfToken, newSessionId, sameToken } from './session-token.js';

describe('session tokens', () => {
  it('makes 32-byte random ids in base64url that differ every time', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newSessionId()));
    assert.equal(ids.size, 100);
    for (const id of ids) {
      assert.ok(isSessionIdShape(id), id);
      assert.equal(Buffer.from(id, 'base64url').length, 32);
    }
    assert.ok(isSessionIdShape(newCsrfToken()));
  });

  it('hashes a session id with SHA-256 (the key stored in pem.web_session)', () => {
    const id = newSessionId();
    assert.deepEqual(hashSessionId(id), createHash('sha256').update(id).digest());
    assert.equal(hashSessionId(id).length, 32);
  });

  it('rejects cookie values of the wrong shape', () => {
    assert.equal(isSessionIdShape(''), false);
    assert.equal(isSessionIdShape('a'.repeat(42)), false);
    assert.equal(isSessionIdShape(`${'a'.repeat(42)}=`), false);
    assert.equal(isSessionIdShape(`${'a'.repeat(42)};`), false);
  });

  it('compares tokens: equal only when identical, never for a missing one', () => {
    const t = newCsrfToken();
    assert.equal(sameToken(t, t), true);
    assert.equal(sameToken(`${t}x`, t), false);
    assert.equal(sameToken(t.slice(0, -1), t), false);
    assert.equal(sameToken(undefined, t), false);
    assert.equal(sameToken('', t), false);
    assert.equal(sameToken('', ''), false);
  });
});
