/**
 * Integration test: a backend failover is a pause, not a logout. A primary
 * and a streaming standby behind the multi-host string; the primary stops,
 * requests answer 503 "backend is failing over" (never a crash, never 401),
 * the dashboard routes (series, alerts, probe log, preferences) included;
 * once the standby is promoted the same session works again, and writes
 * (preferences) go to the new primary.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type ApiRequestOptions, apiRequest, cookieFrom } from '@pharos/testkit/http/https-client';
import { FatalWaitError, waitFor } from '@pharos/testkit/wait/wait-for';
import { SESSION_COOKIE } from './auth/cookie.js';
import { PASSWORDS, startTestBackend, type TestBackend } from './testing/backend-fixture.js';
import { startTestInstance, type TestInstance } from './testing/web-instance.js';

const PRIMARY = '127.0.4.40';
const STANDBY = '127.0.4.41';
const WEB = '127.0.4.31';
const HARNESS = '127.0.4.33';

/** Dashboard routes that must ride out the failover like /api/fleet. */
const DASHBOARD_PATHS = [
  '/api/servers/1/series?probe=database_stats&fields=xact_commit&mode=rate',
  '/api/servers/1',
  '/api/alerts',
  '/api/probe-log',
  '/api/preferences',
];

describe('web application through a backend failover', () => {
  let backend: TestBackend;
  let web: TestInstance;
  let ca: Buffer;
  const call = (path: string, opts: Partial<ApiRequestOptions> = {}) =>
    apiRequest(new URL(path, web.url).toString(), { ca, localAddress: HARNESS, ...opts });

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: PRIMARY,
      standbyAddress: STANDBY,
      clientAddresses: [WEB, HARNESS],
      harnessAddress: HARNESS,
    });
    ca = readFileSync(backend.pki.caCert);
    web = await startTestInstance(backend, WEB);
  });

  after(async () => {
    await web?.close();
    await backend?.stop();
  });

  it('answers 503 while no primary exists and keeps the session through the promotion', async () => {
    const r = await call('/api/login', { json: { user: 'bob', password: PASSWORDS.bob } });
    assert.equal(r.status, 200, r.text);
    const cookie = cookieFrom(r.setCookie, SESSION_COOKIE)!;
    const csrf = (r.body as { csrfToken: string }).csrfToken;
    assert.equal((await call('/api/fleet', { cookie })).status, 200);

    // The session row has reached the standby before the primary goes.
    const standby = backend.standby!;
    await waitFor(
      'the session row to reach the standby',
      async () => (await backend.psql('SELECT count(*) FROM pem.web_session', standby)) === '1',
    );

    await backend.primary.stop();
    const started = Date.now();
    const during = await call('/api/fleet', { cookie });
    const waitedMs = Date.now() - started;
    assert.equal(during.status, 503, during.text);
    assert.deepEqual(during.body, { code: 'PHAROS_BACKEND_FAILING_OVER', error: 'backend is failing over' });
    assert.equal(during.headers['retry-after'], '2');
    assert.ok(waitedMs < 12_000, `503 took ${waitedMs} ms`);
    const session = await call('/api/session', { cookie });
    assert.equal(session.status, 503, 'a failing-over backend is not a logout');
    for (const path of DASHBOARD_PATHS) {
      const r = await call(path, { cookie });
      assert.equal(r.status, 503, `${path}: ${r.text}`);
      assert.deepEqual(r.body, { code: 'PHAROS_BACKEND_FAILING_OVER', error: 'backend is failing over' });
    }
    const health = await call('/api/health');
    assert.equal(health.status, 200);
    assert.equal((health.body as { backend: { reachable: boolean } }).backend.reachable, false);

    await standby.psql('SELECT pg_promote()');
    const after = await waitFor(
      'the API to answer again after the promotion',
      async () => {
        const r = await call('/api/fleet', { cookie });
        if (r.status === 200) return r;
        if (r.status !== 503) throw new FatalWaitError(`only 503 until then, got ${r.status}: ${r.text}`);
        return undefined;
      },
      { deadlineMs: 15_000, intervalMs: 500 },
    );
    assert.equal(after.status, 200, after.text);
    assert.equal((await call('/api/session', { cookie })).status, 200);
    for (const path of DASHBOARD_PATHS) assert.equal((await call(path, { cookie })).status, 200, path);
    const patched = await call('/api/preferences', {
      method: 'PATCH',
      cookie,
      json: { timeRange: '24h' },
      headers: { 'x-csrf-token': csrf },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(
      await backend.psql(
        `SELECT prefs->>'timeRange' FROM pem.user_preference WHERE role_name = 'bob'`,
        standby,
      ),
      '24h',
    );
    const healthAfter = await call('/api/health');
    assert.deepEqual((healthAfter.body as { backend: unknown }).backend, {
      reachable: true,
      host: STANDBY,
      port: 5432,
      isPrimary: true,
    });
  });
});
