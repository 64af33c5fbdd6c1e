/**
 * Integration test of API tokens and the Prometheus exposition (issue 18)
 * against a real backend and a real web instance: a script holding only a
 * token lists servers and reads a series, needs no CSRF token, loses access
 * when the token is revoked; a pem_user's token is read-only (403 on admin
 * routes); a token never logs in or reads the session; expired tokens and
 * tokens of a role that left pem_user are refused; the last use is recorded;
 * /metrics wants a token or a `prometheus` client certificate of the CA and
 * shows the value the API shows, in a form a Prometheus parser accepts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { type ApiRequestOptions, apiRequest, cookieFrom } from '@pharos/testkit/http/https-client';
import { checkExposition } from '@pharos/testkit/prometheus/exposition-check';
import { SESSION_COOKIE } from './auth/cookie.js';
import { PASSWORDS, startTestBackend, type TestBackend } from './testing/backend-fixture.js';
import { historySql } from './testing/synthetic-history.js';
import { startTestInstance, type TestInstance } from './testing/web-instance.js';

const BACKEND = '127.0.4.80';
const WEB = '127.0.4.81';
const HARNESS = '127.0.4.82';

interface Created {
  id: number;
  name: string;
  role: string;
  token: string;
  expiresAt: string;
}

/** GET over HTTPS with a client certificate (the testkit client has none). */
function getWithCertificate(
  url: string,
  ca: Buffer,
  client: { cert: string; key: string } | undefined,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        ca,
        localAddress: HARNESS,
        agent: false,
        ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('API tokens and /metrics', () => {
  let backend: TestBackend;
  let web: TestInstance;
  let ca: Buffer;
  const nowS = Math.floor(Date.now() / 1000);
  const call = (path: string, opts: Partial<ApiRequestOptions> = {}) =>
    apiRequest(new URL(path, web.url).toString(), { ca, localAddress: HARNESS, ...opts });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const login = async (user: 'alice' | 'bob') => {
    const r = await call('/api/login', { json: { user, password: PASSWORDS[user] } });
    assert.equal(r.status, 200, r.text);
    return {
      cookie: cookieFrom(r.setCookie, SESSION_COOKIE)!,
      csrf: (r.body as { csrfToken: string }).csrfToken,
    };
  };
  const makeToken = async (user: 'alice' | 'bob', name: string, validForS?: number): Promise<Created> => {
    const s = await login(user);
    const r = await call('/api/api-tokens', {
      cookie: s.cookie,
      headers: { 'x-csrf-token': s.csrf },
      json: validForS === undefined ? { name } : { name, validForS },
    });
    assert.equal(r.status, 201, r.text);
    return r.body as Created;
  };

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB, HARNESS],
      harnessAddress: HARNESS,
    });
    ca = readFileSync(backend.pki.caCert);
    web = await startTestInstance(backend, WEB);
    await backend.psql(`CREATE ROLE agent1 IN ROLE pem_agent;
      SET SESSION AUTHORIZATION agent1;
      ${historySql({ agentId: 1, serverIds: [1], fromS: nowS - 3600, toS: nowS, stepS: 60, firstSampleId: 1000 })}
      RESET SESSION AUTHORIZATION;`);
  });

  after(async () => {
    await web?.close();
    await backend?.stop();
  });

  it('lets a script with only a token list servers, read a series and change things, until it is revoked', async () => {
    const made = await makeToken('alice', 'nightly script');
    assert.match(made.token, /^pha_[A-Za-z0-9_-]{43}$/);
    assert.equal(made.role, 'alice');
    // stored hashed: the token's text is nowhere in the table
    const stored = await backend.psql(
      `SELECT count(*) FROM pem.api_token WHERE secret_sha256 = sha256('${made.token}'::bytea)`,
    );
    assert.equal(stored.trim(), '1');
    const plain = await backend.psql(
      `SELECT count(*) FROM pem.api_token t WHERE t::text LIKE '%${made.token.slice(4)}%'`,
    );
    assert.equal(plain.trim(), '0');

    const servers = await call('/api/servers', { headers: bearer(made.token) });
    assert.equal(servers.status, 200, servers.text);
    assert.deepEqual((servers.body as { displayName: string }[]).map((s) => s.displayName).sort(), [
      'pem-backend-1',
      'pem-backend-2',
    ]);
    const series = await call(
      `/api/servers/1/series?probe=database_stats&fields=xact_commit&mode=rate&from=${new Date((nowS - 1800) * 1000).toISOString()}&to=${new Date(nowS * 1000).toISOString()}&points=10`,
      { headers: bearer(made.token) },
    );
    assert.equal(series.status, 200, series.text);
    const values = (series.body as { series: { values: (number | null)[] }[] }).series[0]!.values;
    assert.ok(
      values.some((v) => v !== null && v > 0),
      `a rate in ${JSON.stringify(values)}`,
    );

    // a mutating call with the token alone: no cookie, no CSRF token
    const created = await call('/api/enrolment-tokens', {
      headers: bearer(made.token),
      json: { name: 'host-9', validForS: 3600 },
    });
    assert.equal(created.status, 201, created.text);

    // the last use is recorded with the client address (the first use of the minute)
    const used = await call('/api/api-tokens', { headers: bearer(made.token) });
    assert.equal(used.status, 200, used.text);
    const mine = (used.body as { id: number; lastUsedAt: string | null; lastUsedFrom: string | null }[]).find(
      (t) => t.id === made.id,
    )!;
    assert.ok(mine.lastUsedAt !== null);
    assert.equal(mine.lastUsedFrom, HARNESS);
    assert.ok(!used.text.includes(made.token), 'the list never shows a token');

    const alice = await login('alice');
    const revoke = await call(`/api/api-tokens/${made.id}`, {
      method: 'DELETE',
      cookie: alice.cookie,
      headers: { 'x-csrf-token': alice.csrf },
    });
    assert.equal(revoke.status, 200, revoke.text);
    assert.deepEqual(revoke.body, { id: made.id, revoked: true });
    const after = await call('/api/servers', { headers: bearer(made.token) });
    assert.equal(after.status, 401);
    assert.equal((after.body as { code: string }).code, 'PHAROS_AUTH_TOKEN_REVOKED');
    // a refused token stops the request before the route: nothing is made
    const tokensBefore = await backend.psql('SELECT count(*) FROM pem.enrolment_token');
    const refusedWrite = await call('/api/enrolment-tokens', {
      headers: bearer(made.token),
      json: { name: 'host-10', validForS: 3600 },
    });
    assert.equal(refusedWrite.status, 401, refusedWrite.text);
    assert.equal(await backend.psql('SELECT count(*) FROM pem.enrolment_token'), tokensBefore);
  });

  it("keeps a pem_user's token read-only and to its own tokens", async () => {
    const bobs = await makeToken('bob', 'grafana');
    const read = await call('/api/fleet', { headers: bearer(bobs.token) });
    assert.equal(read.status, 200, read.text);
    for (const [method, path, json] of [
      ['POST', '/api/enrolment-tokens', { name: 'x' }],
      ['GET', '/api/enrolment-tokens', undefined],
      ['DELETE', '/api/agents/3', undefined],
      ['GET', '/api/api-tokens?all=true', undefined],
    ] as const) {
      const r = await call(path, { method, headers: bearer(bobs.token), ...(json ? { json } : {}) });
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
      assert.equal((r.body as { code: string }).code, 'PHAROS_AUTH_ADMIN_ONLY');
    }
    // bob cannot revoke alice's token, and does not learn it exists
    const alices = await makeToken('alice', 'alice-only');
    const r = await call(`/api/api-tokens/${alices.id}`, { method: 'DELETE', headers: bearer(bobs.token) });
    assert.equal(r.status, 404, r.text);
    assert.equal((r.body as { code: string }).code, 'PHAROS_API_TOKEN_NOT_FOUND');
    const list = await call('/api/api-tokens', { headers: bearer(bobs.token) });
    assert.deepEqual(
      (list.body as { role: string }[]).map((t) => t.role),
      ['bob'],
    );
    // an administrator lists and revokes every role's tokens
    const all = await call('/api/api-tokens?all=true', { headers: bearer(alices.token) });
    assert.ok((all.body as { id: number }[]).some((t) => t.id === bobs.id));
    const byAdmin = await call(`/api/api-tokens/${bobs.id}`, {
      method: 'DELETE',
      headers: bearer(alices.token),
    });
    assert.deepEqual(byAdmin.body, { id: bobs.id, revoked: true });
    const again = await call(`/api/api-tokens/${bobs.id}`, {
      method: 'DELETE',
      headers: bearer(alices.token),
    });
    assert.deepEqual(again.body, { id: bobs.id, revoked: false });
  });

  it('never makes a session from a token, nor a token from a token', async () => {
    const t = await makeToken('alice', 'no-login');
    for (const [method, path, json] of [
      ['POST', '/api/login', { user: 'alice', password: PASSWORDS.alice }],
      ['GET', '/api/session', undefined],
      ['POST', '/api/logout', undefined],
      ['POST', '/api/api-tokens', { name: 'child' }],
    ] as const) {
      const r = await call(path, { method, headers: bearer(t.token), ...(json ? { json } : {}) });
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
      assert.equal((r.body as { code: string }).code, 'PHAROS_AUTH_SESSION_REQUIRED');
      assert.deepEqual(r.setCookie, [], `${method} ${path} sets no cookie`);
    }
    const sessions = await backend.psql(`SELECT count(*) FROM pem.web_session WHERE role_name = 'alice'`);
    const before = Number(sessions.trim());
    await call('/api/login', {
      headers: bearer(t.token),
      json: { user: 'alice', password: PASSWORDS.alice },
    });
    assert.equal(
      Number((await backend.psql(`SELECT count(*) FROM pem.web_session WHERE role_name = 'alice'`)).trim()),
      before,
    );
  });

  it('refuses malformed, unknown and expired tokens, other schemes, and tokens of a role that left pem_user', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ authorization: 'Bearer pha_short' }, 'PHAROS_AUTH_TOKEN_INVALID'],
      [{ authorization: `Bearer pha_${'A'.repeat(43)}` }, 'PHAROS_AUTH_TOKEN_INVALID'],
      [{ authorization: 'Basic YWxpY2U6YWxpY2UtcHc=' }, 'PHAROS_AUTH_HEADER_INVALID'],
      [{ authorization: '' }, 'PHAROS_AUTH_HEADER_INVALID'],
    ];
    for (const [headers, code] of cases) {
      const r = await call('/api/fleet', { headers });
      assert.equal(r.status, 401, `${JSON.stringify(headers)}: ${r.text}`);
      assert.equal((r.body as { code: string }).code, code);
    }
    const short = await makeToken('bob', 'short-lived', 60);
    await backend.psql(
      `UPDATE pem.api_token SET created_at = now() - interval '2 min', expires_at = now() - interval '1 s' WHERE id = ${short.id}`,
    );
    const expired = await call('/api/fleet', { headers: bearer(short.token) });
    assert.equal(expired.status, 401);
    assert.equal((expired.body as { code: string }).code, 'PHAROS_AUTH_TOKEN_EXPIRED');

    const bobs = await makeToken('bob', 'until-demoted');
    await backend.psql('REVOKE pem_user FROM bob');
    try {
      const refused = await call('/api/fleet', { headers: bearer(bobs.token) });
      assert.equal(refused.status, 401);
      assert.equal((refused.body as { code: string }).code, 'PHAROS_AUTH_TOKEN_ROLE_REFUSED');
    } finally {
      await backend.psql('GRANT pem_user TO bob');
    }
    const back = await call('/api/fleet', { headers: bearer(bobs.token) });
    assert.equal(back.status, 200, back.text);
    // the web log never holds a token, and no route ran after a refusal had been sent
    const log = readFileSync(web.logFile, 'utf8');
    assert.ok(!log.includes(bobs.token.slice(4)));
    assert.ok(!/already sent/i.test(log), 'a refused request reached its route');
  });

  it('refuses bad token input with the field named', async () => {
    const s = await login('bob');
    for (const [json, field] of [
      [{ name: '' }, 'name'],
      [{ name: 'x', validForS: 10 }, 'validForS'],
      [{ name: 'x', extra: 1 }, 'extra'],
    ] as const) {
      const r = await call('/api/api-tokens', {
        cookie: s.cookie,
        headers: { 'x-csrf-token': s.csrf },
        json,
      });
      assert.equal(r.status, 400, r.text);
      assert.equal((r.body as { field: string }).field, field, r.text);
    }
  });

  it('describes the bearer scheme in the OpenAPI document', async () => {
    const doc = (await call('/api/openapi.json')).body as {
      components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
      security: Record<string, unknown>[];
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    assert.deepEqual(
      {
        type: doc.components.securitySchemes.bearer!.type,
        scheme: doc.components.securitySchemes.bearer!.scheme,
      },
      { type: 'http', scheme: 'bearer' },
    );
    assert.ok(doc.security.some((s) => 'bearer' in s));
    assert.deepEqual(doc.paths['/api/login']!.post!.security, []);
    assert.deepEqual(doc.paths['/api/api-tokens']!.post!.security, [{ session: [] }]);
  });

  it('serves /metrics to a token or a prometheus certificate only, with the values the API shows', async () => {
    const anonymous = await call('/metrics');
    assert.equal(anonymous.status, 401);
    assert.equal((anonymous.body as { code: string }).code, 'PHAROS_METRICS_UNAUTHENTICATED');
    const bobs = await makeToken('bob', 'prometheus');
    const r = await call('/metrics', { headers: { ...bearer(bobs.token), accept: 'text/plain' } });
    assert.equal(r.status, 200, r.text);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const families = checkExposition(r.text);

    const latest = await call('/api/servers/1/latest?probe=database_stats', { headers: bearer(bobs.token) });
    assert.equal(latest.status, 200, latest.text);
    const apiValue = (latest.body as { rows: { value: { xact_commit: number } }[] }).rows[0]!.value
      .xact_commit;
    const family = families.get('pharos_database_stats_xact_commit_total');
    assert.ok(family, 'xact_commit is exported');
    assert.equal(family.type, 'COUNTER');
    const sample = family.metrics.find((m) => m.labels?.server === 'pem-backend-1');
    assert.equal(Number(sample?.value), apiValue);
    const up = families.get('pharos_server_up_up')!.metrics.find((m) => m.labels?.server === 'pem-backend-2');
    assert.equal(Number(up?.value), 0);
    const age = families
      .get('pharos_server_sample_age_seconds')!
      .metrics.find((m) => m.labels?.server === 'pem-backend-2');
    assert.ok(Number(age?.value) >= 590, `server 2's newest sample is 10 min old: ${age?.value}`);

    const prometheus = backend.pki.issueClient('prometheus-client', 'prometheus');
    const byCert = await getWithCertificate(new URL('/metrics', web.url).toString(), ca, prometheus);
    assert.equal(byCert.status, 200, byCert.text);
    checkExposition(byCert.text);
    const agentCert = backend.pki.issueClient('agent7-client', 'agent7');
    const byAgent = await getWithCertificate(new URL('/metrics', web.url).toString(), ca, agentCert);
    assert.equal(byAgent.status, 401, 'a certificate of the CA with another name is not admitted');

    await call(`/api/api-tokens/${bobs.id}`, { method: 'DELETE', headers: bearer(bobs.token) });
    const revoked = await call('/metrics', { headers: bearer(bobs.token) });
    assert.equal(revoked.status, 401);
    assert.equal((revoked.body as { code: string }).code, 'PHAROS_AUTH_TOKEN_REVOKED');
  });
});
