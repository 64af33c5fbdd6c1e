/**
 * Integration test: a slow backend is not a failover. A healthy primary, one
 * web instance; a DBA's session holds ACCESS EXCLUSIVE locks on the tables a
 * read, an idempotent write and a one-shot write use, so their statements wait
 * past the web's statement deadline. Each request answers 504
 * PHAROS_BACKEND_TIMEOUT (not 503 PHAROS_BACKEND_FAILING_OVER), the backend has
 * cancelled the statements before the answer (nothing of the web still waits
 * on the locks), and once the locks are gone nothing of the two writes was
 * committed; the session is kept throughout.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { HaConnection } from '@pharos/core/ha/connection';
import { holdLock } from '@pharos/core/testing/hold-lock';
import { type ApiRequestOptions, apiRequest, cookieFrom } from '@pharos/testkit/http/https-client';
import { SESSION_COOKIE } from './auth/cookie.js';
import { STATEMENT_DEADLINE_MS } from './backend.js';
import { PASSWORDS, startTestBackend, type TestBackend } from './testing/backend-fixture.js';
import { startTestInstance, type TestInstance } from './testing/web-instance.js';

const PRIMARY = '127.0.39.40';
const WEB = '127.0.39.31';
const HARNESS = '127.0.39.33';

const LOCKED = ['pem.user_preference', 'pem.api_token'];

describe('web application with a slow backend', () => {
  let backend: TestBackend;
  let web: TestInstance;
  let ca: Buffer;
  const call = (path: string, opts: Partial<ApiRequestOptions> = {}) =>
    apiRequest(new URL(path, web.url).toString(), { ca, localAddress: HARNESS, ...opts });

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: PRIMARY,
      clientAddresses: [WEB, HARNESS],
      harnessAddress: HARNESS,
      fleet: false,
    });
    ca = readFileSync(backend.pki.caCert);
    web = await startTestInstance(backend, WEB);
  });

  after(async () => {
    await web?.close();
    await backend?.stop();
  });

  /** Holds ACCESS EXCLUSIVE locks on {@link LOCKED} in an open transaction until release() is called. */
  const lockTables = () =>
    holdLock(
      new HaConnection({
        conninfo: `host=${PRIMARY} dbname=pem user=postgres password=${backend.primary.superuserPassword} sslmode=verify-full sslrootcert=${backend.pki.caCert}`,
        sourceAddress: HARNESS,
      }),
      `LOCK TABLE ${LOCKED.join(', ')} IN ACCESS EXCLUSIVE MODE`,
      120_000,
    );

  it('answers 504 PHAROS_BACKEND_TIMEOUT, cancels the statements on the backend and commits nothing', async () => {
    const login = await call('/api/login', { json: { user: 'bob', password: PASSWORDS.bob } });
    assert.equal(login.status, 200, login.text);
    const cookie = cookieFrom(login.setCookie, SESSION_COOKIE)!;
    const csrf = (login.body as { csrfToken: string }).csrfToken;
    assert.equal((await call('/api/preferences', { cookie })).status, 200);

    const lock = await lockTables();
    try {
      const requests: [string, Partial<ApiRequestOptions>][] = [
        ['read preferences', {}],
        [
          'save preferences',
          { method: 'PATCH', json: { timeRange: '24h' }, headers: { 'x-csrf-token': csrf } },
        ],
      ];
      for (const [what, opts] of requests) {
        const started = Date.now();
        const r = await call('/api/preferences', { cookie, ...opts });
        const ms = Date.now() - started;
        assert.equal(r.status, 504, `${what}: ${r.text}`);
        const body = r.body as { code: string; error: string };
        assert.equal(body.code, 'PHAROS_BACKEND_TIMEOUT', what);
        assert.match(
          body.error,
          /^the backend is reachable but too slow: a statement was cancelled after 3\.\d s .*changed nothing and will not be applied later/,
        );
        assert.equal(r.headers['retry-after'], undefined, `${what}: not a failover`);
        assert.ok(ms < STATEMENT_DEADLINE_MS + 2000, `${what}: answered after ${ms} ms (no retry)`);
      }
      const token = await call('/api/api-tokens', {
        method: 'POST',
        cookie,
        json: { name: 'made while slow' },
        headers: { 'x-csrf-token': csrf },
      });
      assert.equal(token.status, 504, token.text);
      assert.equal((token.body as { code: string }).code, 'PHAROS_BACKEND_TIMEOUT');

      // the backend cancelled them: nothing of the web's waits for the locks any more
      assert.equal(
        await backend.psql(
          `SELECT count(*) FROM pg_locks WHERE NOT granted AND relation IN (${LOCKED.map((t) => `'${t}'::regclass`).join(', ')})`,
        ),
        '0',
      );
      const health = await call('/api/health');
      assert.equal((health.body as { backend: { reachable: boolean } }).backend.reachable, true);
      assert.equal((await call('/api/session', { cookie })).status, 200, 'a slow backend is not a logout');
    } finally {
      await lock.release();
    }

    assert.equal(
      await backend.psql(`SELECT count(*) FROM pem.api_token WHERE name = 'made while slow'`),
      '0',
    );
    assert.equal(await backend.psql(`SELECT count(*) FROM pem.user_preference WHERE role_name = 'bob'`), '0');
    const prefs = await call('/api/preferences', { cookie });
    assert.equal(prefs.status, 200, prefs.text);
    assert.equal(
      (prefs.body as { timeRange: string }).timeRange,
      '1h',
      'the timed-out PATCH was not applied',
    );
  });
});
