import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { transportOptions } from './email.js';

describe('SMTP transport options', () => {
  const base = { host: 'smtp.example.com', port: 587, from_address: 'p@example.com' };

  it('starttls requires the upgrade; tls is TLS from the start; none never upgrades', () => {
    const s = transportOptions({ ...base, security: 'starttls' });
    assert.deepEqual([s.secure, s.requireTLS, s.ignoreTLS], [false, true, false]);
    const t = transportOptions({ ...base, port: 465, security: 'tls' });
    assert.deepEqual([t.secure, t.requireTLS, t.ignoreTLS], [true, false, false]);
    const n = transportOptions({ ...base, security: 'none' });
    assert.deepEqual([n.secure, n.requireTLS, n.ignoreTLS], [false, false, true]);
  });

  it('authenticates only with a user name; verifies certificates unless told not to; trusts an extra CA', () => {
    assert.equal(transportOptions({ ...base, security: 'starttls' }).auth, undefined);
    const o = transportOptions({
      ...base,
      security: 'starttls',
      user_name: 'u',
      password: 'p',
      tls_ca_pem: 'PEM',
      timeout_ms: 500,
    });
    assert.deepEqual(o.auth, { user: 'u', pass: 'p' });
    assert.deepEqual(o.tls, { rejectUnauthorized: true, ca: 'PEM' });
    assert.equal(o.socketTimeout, 500);
    assert.deepEqual(transportOptions({ ...base, security: 'tls', tls_verify: false }).tls, {
      rejectUnauthorized: false,
    });
  });
});
