/**
 * Integration test of the web application against a real PostgreSQL backend
 * (TLS, scram, HBA rules per source address): two instances on different
 * addresses share sessions through the backend; login, roles, CSRF, logout,
 * expiry, HTTPS only, the fleet API, logs free of secrets.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { type ApiRequestOptions, apiRequest, cookieFrom } from '@pharos/testkit/http/https-client';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { SESSION_COOKIE } from './auth/cookie.js';
import { LOGIN_USER_FAILURES } from './auth/login-throttle.js';
import { LOGIN_REFUSAL_FLOOR_MS } from './auth/routes.js';
import { SESSION_MAX_AGE_S } from './auth/session-store.js';
import { PASSWORDS, startTestBackend, type TestBackend } from './testing/backend-fixture.js';
import { startTestInstance, type TestInstance } from './testing/web-instance.js';

const BACKEND = '127.0.4.10';
const WEB_A = '127.0.4.1';
const WEB_B = '127.0.4.2';
const HARNESS = '127.0.4.3';
const RATE_CLIENT = '127.0.4.50';
const MARKER_CLIENT = '127.0.4.51';
/** Sources of the throttling test: one per attempt (127.0.4.100 + i), so only the backend's count can stop them. */
const THROTTLE_CLIENT_BASE = 100;

interface Fleet {
  totals: { servers: number; serversByStatus: Record<string, number>; agents: number; agentsAlive: number };
  agents: {
    id: number;
    name: string;
    alive: boolean;
    heartbeatAgeS: number | null;
    latest: Record<string, unknown[]>;
  }[];
  servers: {
    id: number;
    name: string;
    status: string;
    agentId: number | null;
    agentName: string | null;
    latest: Record<string, { object: string; value: Record<string, unknown> }[]>;
  }[];
  heartbeatIntervalS: number;
  asOf: string;
}

describe('web application (two instances, one backend)', () => {
  let backend: TestBackend;
  let a: TestInstance;
  let b: TestInstance;
  let ca: Buffer;
  const call = (inst: TestInstance, path: string, opts: Partial<ApiRequestOptions> = {}) =>
    apiRequest(new URL(path, inst.url).toString(), { ca, localAddress: HARNESS, ...opts });
  const login = async (inst: TestInstance, user: string, password: string) => {
    const r = await call(inst, '/api/login', { json: { user, password } });
    const cookie = cookieFrom(r.setCookie, SESSION_COOKIE);
    return { r, cookie, csrf: (r.body as { csrfToken?: string }).csrfToken };
  };

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB_A, WEB_B, HARNESS],
      harnessAddress: HARNESS,
    });
    ca = readFileSync(backend.pki.caCert);
    a = await startTestInstance(backend, WEB_A, { login_rate_limit_per_minute: 100 });
    b = await startTestInstance(backend, WEB_B, { login_rate_limit_per_minute: 5 });
  });

  after(async () => {
    await a?.close();
    await b?.close();
    await backend?.stop();
  });

  it('answers health without login: version, backend reachable, the primary', async () => {
    const r = await call(a, '/api/health');
    assert.equal(r.status, 200);
    const body = r.body as { version: string; backend: Record<string, unknown> };
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(body.backend, { reachable: true, host: BACKEND, port: 5432, isPrimary: true });
  });

  it('sends security headers (CSP, HSTS, nosniff, frame denial, no-store)', async () => {
    const r = await call(a, '/');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /text\/html/);
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(String(r.headers['strict-transport-security']), /max-age=\d+/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    const api = await call(a, '/api/health');
    assert.equal(api.headers['cache-control'], 'no-store');
  });

  it('does not serve plain HTTP on its port', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: WEB_A, port: 8443, path: '/api/health', timeout: 5000 }, (res) => {
        res.resume();
        resolve(`status ${res.statusCode}`);
      });
      req.on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      req.on('timeout', () => {
        req.destroy();
        resolve('timeout');
      });
      req.end();
    });
    assert.ok(!/^status 2/.test(outcome), `plain HTTP got ${outcome}`);
  });

  it('TLS: 1.3, and 1.2 with AEAD suites only (a CBC/SHA-1 client is refused)', async () => {
    const handshake = (options: tls.ConnectionOptions) =>
      new Promise<string>((resolve) => {
        const socket = tls.connect({ host: WEB_A, port: 8443, ca, ...options }, () => {
          const result = `${socket.getProtocol()} ${socket.getCipher().name}`;
          socket.end();
          resolve(result);
        });
        socket.on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      });
    assert.match(await handshake({ minVersion: 'TLSv1.3' }), /^TLSv1\.3 TLS_/);
    assert.match(
      await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }),
      /^TLSv1\.2 ECDHE-ECDSA-AES128-GCM-SHA256$/,
    );
    for (const cbc of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-ECDSA-AES128-CCM8']) {
      const outcome = await handshake({ maxVersion: 'TLSv1.2', ciphers: cbc });
      assert.match(outcome, /^error /, `${cbc}: ${outcome}`);
      assert.match(outcome, /HANDSHAKE_FAILURE|handshake failure/i, `${cbc}: ${outcome}`);
    }
  });

  it('refuses the API without a session', async () => {
    const r = await call(a, '/api/fleet');
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { code: 'PHAROS_AUTH_NOT_LOGGED_IN', error: 'not logged in' });
    const forged = await call(a, '/api/fleet', { cookie: `${SESSION_COOKIE}=${'A'.repeat(43)}` });
    assert.equal(forged.status, 401);
  });

  it('logs an admin in with a secure cookie; the same cookie works on the other instance', async () => {
    const { r, cookie, csrf } = await login(a, 'alice', PASSWORDS.alice);
    assert.equal(r.status, 200, r.text);
    assert.equal((r.body as { role: string }).role, 'admin');
    assert.ok(cookie && csrf);
    const line = r.setCookie.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    assert.match(line, /; Secure/);
    assert.match(line, /; HttpOnly/);
    assert.match(line, /; SameSite=Strict/);
    assert.match(line, /; Path=\//);

    const onB = await call(b, '/api/session', { cookie });
    assert.equal(onB.status, 200, onB.text);
    assert.equal((onB.body as { user: string }).user, 'alice');
    assert.equal((onB.body as { csrfToken: string }).csrfToken, csrf);

    // Only the hash of the session id is stored.
    const raw = cookie.split('=')[1]!;
    const hash = createHash('sha256').update(raw).digest('hex');
    assert.equal(
      await backend.psql(`SELECT count(*) FROM pem.web_session WHERE id_hash = '\\x${hash}'`),
      '1',
    );
    const dump = await backend.psql('SELECT row_to_json(s)::text FROM pem.web_session s');
    assert.ok(!dump.includes(raw), 'raw session id stored');
  });

  it('logs a pem_user member in as a reader', async () => {
    const { r } = await login(b, 'bob', PASSWORDS.bob);
    assert.equal(r.status, 200, r.text);
    assert.equal((r.body as { role: string }).role, 'user');
  });

  it('refuses a wrong password, an unknown role, a role in neither group and the service role alike: 401, same words, never sooner than the floor', async () => {
    const cases: [string, string][] = [
      ['alice', 'not-her-password'], // exists, wrong password (SCRAM runs)
      ['mallory', 'whatever'], // no such role
      ['carol', PASSWORDS.carol], // right password, in neither group
      ['pemweb', PASSWORDS.pemweb], // the web service role with its own password (security review M4)
    ];
    const bodies = new Set<string>();
    for (const [user, password] of cases) {
      const started = performance.now();
      const { r, cookie } = await login(a, user, password);
      const tookMs = performance.now() - started;
      assert.equal(r.status, 401, `${user}: ${r.text}`);
      assert.equal(cookie, undefined, user);
      bodies.add(r.text);
      // every refusal waits for the same floor (no user enumeration by timing, security review L3)
      assert.ok(tookMs >= LOGIN_REFUSAL_FLOOR_MS - 5, `${user} refused after ${tookMs.toFixed(0)} ms`);
    }
    assert.equal(bodies.size, 1, [...bodies].join(' | '));
  });

  it('refuses a control character in the user name, a NUL in the password (400 naming the field), never reaching the backend', async () => {
    for (const [user, password, field] of [
      ['bob\u0000options\u0000-c work_mem=77kB', PASSWORDS.bob, 'user'],
      ['bob\n', PASSWORDS.bob, 'user'],
      ['bob', 'bob-pw\u0000x', 'password'],
    ] as const) {
      const r = await call(a, '/api/login', { json: { user, password } });
      assert.equal(r.status, 400, r.text);
      assert.equal((r.body as { field?: string }).field, field, r.text);
    }
  });

  it('validates the login body and parses JSON only (no cross-site form login)', async () => {
    const empty = await call(a, '/api/login', { json: { user: 'alice' } });
    assert.equal(empty.status, 400);
    const extra = await call(a, '/api/login', { json: { user: 'alice', password: 'x', admin: true } });
    assert.equal(extra.status, 400);
    const form = await call(a, '/api/login', {
      raw: { body: 'user=alice&password=alice-pw', contentType: 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 415);
  });

  it('returns the fleet with latest values grouped by probe, on both instances', async () => {
    const { cookie } = await login(a, 'bob', PASSWORDS.bob);
    for (const inst of [a, b]) {
      const r = await call(inst, '/api/fleet', { cookie });
      assert.equal(r.status, 200, r.text);
      const fleet = r.body as Fleet;
      // problems first: the silent agent, the one never seen, then the alive one
      assert.deepEqual(
        fleet.agents.map((x) => [x.id, x.name, x.alive]),
        [
          [2, 'pem-web-1', false],
          [3, 'monitored-1', false],
          [1, 'pem-backend-1', true],
        ],
      );
      assert.equal(fleet.agents[1]!.heartbeatAgeS, null);
      assert.deepEqual(Object.keys(fleet.agents[2]!.latest).sort(), ['cpu', 'load_avg', 'memory']);
      assert.deepEqual(
        { ...fleet.totals, serversByStatus: fleet.totals.serversByStatus['agent down'] },
        { servers: 2, serversByStatus: 1, agents: 3, agentsAlive: 1 },
      );
      assert.equal(fleet.servers.find((s) => s.id === 2)!.status, 'agent down');
      const s1 = fleet.servers.find((s) => s.id === 1)!;
      assert.equal(s1.agentName, 'pem-backend-1');
      assert.deepEqual(Object.keys(s1.latest).sort(), [
        'connections_by_state',
        'database_stats',
        'server_info',
        'server_up',
      ]);
      assert.deepEqual(
        s1.latest.connections_by_state!.map((x) => [x.object, x.value.connections]),
        [
          ['active', 2],
          ['idle', 5],
        ],
      );
      assert.equal(s1.latest.server_info![0]!.value.role, 'primary');
      // The overview keeps started_at, the column server_info writes (the UI's Uptime is now - started_at).
      const startedAt = Date.parse(String(s1.latest.server_info![0]!.value.started_at));
      const uptimeS = (Date.parse(fleet.asOf) - startedAt) / 1000;
      assert.ok(uptimeS >= 3600 && uptimeS < 3600 + 600, `uptime ${uptimeS} s`);
      const s2 = fleet.servers.find((s) => s.id === 2)!;
      assert.equal(s2.latest.server_up![0]!.value.up, 0);
      assert.equal(s2.latest.replication_lag![0]!.object, 'upstream');
    }
  });

  it('refuses a mutating request with a missing or forged CSRF token, and keeps the session', async () => {
    const { cookie, csrf } = await login(a, 'bob', PASSWORDS.bob);
    const missing = await call(b, '/api/logout', { method: 'POST', cookie });
    assert.equal(missing.status, 403);
    const forged = await call(b, '/api/logout', {
      method: 'POST',
      cookie,
      headers: { 'x-csrf-token': 'x'.repeat(43) },
    });
    assert.equal(forged.status, 403);
    // Another session's token is no good either.
    const other = await login(a, 'alice', PASSWORDS.alice);
    const crossed = await call(b, '/api/logout', {
      method: 'POST',
      cookie,
      headers: { 'x-csrf-token': other.csrf! },
    });
    assert.equal(crossed.status, 403);
    assert.equal((await call(a, '/api/session', { cookie })).status, 200);
    assert.ok(csrf);
  });

  it('logout on one instance ends the session on every instance', async () => {
    const { cookie, csrf } = await login(a, 'alice', PASSWORDS.alice);
    assert.equal((await call(b, '/api/fleet', { cookie })).status, 200);
    const out = await call(b, '/api/logout', { method: 'POST', cookie, headers: { 'x-csrf-token': csrf! } });
    assert.equal(out.status, 200, out.text);
    assert.deepEqual(out.body, { loggedOut: true });
    assert.ok(
      out.setCookie.some((c) => c.startsWith(`${SESSION_COOKIE}=;`)),
      'cookie cleared',
    );
    assert.equal((await call(a, '/api/session', { cookie })).status, 401);
    assert.equal((await call(b, '/api/fleet', { cookie })).status, 401);
  });

  it('enforces expiry, refreshes last_seen at most once a minute, and ends sessions of roles that left the groups', async () => {
    const { cookie } = await login(a, 'bob', PASSWORDS.bob);
    const hash = createHash('sha256').update(cookie!.split('=')[1]!).digest('hex');
    const where = `WHERE id_hash = '\\x${hash}'`;
    // Fresh session: a request does not write.
    const before = await backend.psql(`SELECT last_seen_at FROM pem.web_session ${where}`);
    await call(b, '/api/session', { cookie });
    assert.equal(await backend.psql(`SELECT last_seen_at FROM pem.web_session ${where}`), before);
    // Last seen two minutes ago: the next request refreshes it and slides the expiry.
    await backend.psql(
      `UPDATE pem.web_session SET last_seen_at = now() - interval '2 min', expires_at = now() + interval '30 s' ${where}`,
    );
    assert.equal((await call(b, '/api/session', { cookie })).status, 200);
    assert.equal(
      await backend.psql(
        `SELECT last_seen_at > now() - interval '10 s' AND expires_at > now() + interval '500 s' FROM pem.web_session ${where}`,
      ),
      't',
    );
    // Expired: refused everywhere.
    await backend.psql(`UPDATE pem.web_session SET expires_at = now() - interval '1 s' ${where}`);
    assert.equal((await call(a, '/api/fleet', { cookie })).status, 401);
    // A role taken out of pem_user loses its sessions at the next request.
    const again = await login(a, 'bob', PASSWORDS.bob);
    assert.equal((await call(b, '/api/fleet', { cookie: again.cookie })).status, 200);
    await backend.psql('REVOKE pem_user FROM bob');
    try {
      assert.equal((await call(b, '/api/fleet', { cookie: again.cookie })).status, 401);
    } finally {
      await backend.psql('GRANT pem_user TO bob');
    }
  });

  it("ends a role's sessions when its password or VALID UNTIL changes, and every session after its absolute lifetime", async () => {
    // security review L5: a password change used to leave the sessions made with the old one valid
    const { cookie } = await login(a, 'bob', PASSWORDS.bob);
    assert.equal((await call(b, '/api/session', { cookie })).status, 200);
    await backend.psql(`ALTER ROLE bob PASSWORD '${PASSWORDS.bob}-new'`);
    try {
      assert.equal((await call(b, '/api/session', { cookie })).status, 401);
      assert.equal((await call(a, '/api/fleet', { cookie })).status, 401);
    } finally {
      await backend.psql(`ALTER ROLE bob PASSWORD '${PASSWORDS.bob}'`);
    }
    // VALID UNTIL set (even in the future: the credential changed) ends them too
    const v = await login(a, 'bob', PASSWORDS.bob);
    assert.equal((await call(a, '/api/session', { cookie: v.cookie })).status, 200);
    await backend.psql("ALTER ROLE bob VALID UNTIL '2999-01-01'");
    try {
      assert.equal((await call(a, '/api/session', { cookie: v.cookie })).status, 401);
    } finally {
      await backend.psql("ALTER ROLE bob VALID UNTIL 'infinity'");
    }
    // absolute lifetime: a session made longer ago than SESSION_MAX_AGE_S ends however busy it was
    const busy = await login(a, 'bob', PASSWORDS.bob);
    assert.equal((await call(a, '/api/session', { cookie: busy.cookie })).status, 200);
    const hash = createHash('sha256').update(busy.cookie!.split('=')[1]!).digest('hex');
    await backend.psql(
      `UPDATE pem.web_session SET created_at = now() - make_interval(secs => ${SESSION_MAX_AGE_S + 1}),
              expires_at = now() + interval '1 hour' WHERE id_hash = '\\x${hash}'`,
    );
    assert.equal((await call(b, '/api/session', { cookie: busy.cookie })).status, 401);
  });

  it('throttles refused logins per user name over every instance and address, in the backend', async () => {
    // security review L4: the in-memory limit was per instance and address only
    const user = 'throttled-nobody';
    const attempt = (inst: TestInstance, i: number, password = 'wrong') =>
      call(inst, '/api/login', {
        json: { user, password },
        localAddress: `127.0.4.${THROTTLE_CLIENT_BASE + i}`,
      });
    for (let i = 0; i < LOGIN_USER_FAILURES; i++) {
      const r = await attempt(i % 2 === 0 ? a : b, i);
      assert.equal(r.status, 401, `attempt ${i}: ${r.text}`);
    }
    // the next one, from a fresh address at either instance, waits for the window without trying the password
    for (const inst of [a, b]) {
      const r = await attempt(inst, LOGIN_USER_FAILURES + (inst === a ? 0 : 1));
      assert.equal(r.status, 429, r.text);
      assert.match(r.text, /too many refused logins/);
      assert.ok(Number(r.headers['retry-after']) > 0, 'Retry-After');
    }
    // another user name from those addresses is not affected (an existing role logs in)
    const other = await call(a, '/api/login', {
      json: { user: 'alice', password: PASSWORDS.alice },
      localAddress: `127.0.4.${THROTTLE_CLIENT_BASE}`,
    });
    assert.equal(other.status, 200, other.text);
    assert.equal(
      await backend.psql(`SELECT failures FROM pem.login_throttle WHERE kind = 'user' AND key = '${user}'`),
      String(LOGIN_USER_FAILURES),
    );
    await backend.psql(`DELETE FROM pem.login_throttle WHERE key = '${user}'`);
    assert.equal((await attempt(a, 0)).status, 401, 'cleared by an administrator: tried again');
  });

  it('a session survives the restart of the instance that created it', async () => {
    const { cookie } = await login(a, 'alice', PASSWORDS.alice);
    await a.close();
    a = await startTestInstance(backend, WEB_A, { login_rate_limit_per_minute: 100 });
    const r = await call(a, '/api/session', { cookie });
    assert.equal(r.status, 200, r.text);
  });

  it('rate-limits login attempts per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await call(b, '/api/login', {
        json: { user: 'alice', password: 'wrong' },
        localAddress: RATE_CLIENT,
      });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.equal(statuses[5], 429);
    // Other clients are not affected.
    const { r } = await login(b, 'alice', PASSWORDS.alice);
    assert.equal(r.status, 200);
  });

  it('never writes passwords or raw session ids to its log', async () => {
    const { cookie } = await login(a, 'alice', PASSWORDS.alice);
    await call(b, '/api/fleet', { cookie });
    // pino writes asynchronously, in order: a marker logged by each instance after the requests
    // above (a refused login naming the marker as user) means everything before it is in its file
    for (const inst of [a, b]) {
      const marker = `log-marker-${randomUUID()}`;
      const r = await call(inst, '/api/login', {
        json: { user: marker, password: 'marker' },
        localAddress: MARKER_CLIENT,
      });
      assert.equal(r.status, 401);
      await waitFor(`the marker line in ${inst.logFile}`, () =>
        readFileSync(inst.logFile, 'utf8').includes(marker),
      );
    }
    const logs = readFileSync(a.logFile, 'utf8') + readFileSync(b.logFile, 'utf8');
    assert.match(logs, /logged in/);
    for (const secret of [...Object.values(PASSWORDS), 'not-her-password', cookie!.split('=')[1]!]) {
      assert.ok(!logs.includes(secret), `log contains ${secret.slice(0, 4)}…`);
    }
  });
});
