// The API's contract, checked on the real app (buildApp) without a database: every
// route declares its inputs and answers (bodies closed with additionalProperties:
// false), the OpenAPI document has every route, and malformed input (the security
// review's L2 list) is a 400 with a catalogue code naming the field, never a 500.
// Validation runs before any handler or session check, so no backend is needed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ERRORS } from '@pharos/core/errors';
import { createLogger } from '@pharos/core/log';
import { makeTestPki } from '@pharos/testkit/pki/test-pki';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { buildApp } from '../app.js';
import { LoginAuthenticator } from '../auth/authenticate.js';
import { BackendPool } from '../backend-pool.js';

interface JsonSchema {
  type?: string;
  additionalProperties?: unknown;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
}

describe('API contract', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-contract-'));
  const routes: RouteOptions[] = [];
  let app: FastifyInstance;
  let db: BackendPool;

  before(async () => {
    const pki = makeTestPki(dir);
    const { cert, key } = pki.issue('web', ['127.0.0.1']);
    // Nothing listens on this port: any statement would fail, and none is made.
    db = new BackendPool({ conninfo: 'host=127.0.0.1 port=1 dbname=pem user=nobody sslmode=disable' }, 1);
    app = await buildApp({
      tls: { cert: readFileSync(cert), key: readFileSync(key) },
      db,
      authenticator: new LoginAuthenticator('host=127.0.0.1 port=1 dbname=pem sslmode=disable'),
      logger: createLogger('web', { level: 'silent' }),
      version: 'test',
      sessionTtlS: 3600,
      loginRateLimitPerMinute: 1000,
      onRoute: (r) => routes.push(r),
    });
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const apiRoutes = () =>
    routes.filter((r) => r.url.startsWith('/api/') && r.url !== '/api/openapi.json' && r.method !== 'HEAD');

  test('every API route declares its answers; inputs are declared and bodies closed', () => {
    assert.ok(apiRoutes().length >= 30, `${apiRoutes().length} routes`);
    for (const r of apiRoutes()) {
      const what = `${String(r.method)} ${r.url}`;
      const schema = r.schema as Record<string, unknown> | undefined;
      assert.ok(schema, `${what}: no schema`);
      const response = schema.response as Record<string, unknown> | undefined;
      assert.ok(response?.[200] ?? response?.[201], `${what}: no 200 (or 201) answer`);
      // health takes nothing; enrolment takes no session (the token is the credential)
      if (r.url !== '/api/health') assert.ok(response?.[400], `${what}: no error answers`);
      if (r.url !== '/api/health' && r.url !== '/api/enrol')
        assert.ok(response?.[401], `${what}: no 401 answer`);
      if (r.url.includes(':')) assert.ok(schema.params, `${what}: no params schema`);
      const method = String(r.method);
      if (method === 'GET' && schema.querystring) {
        assert.equal((schema.querystring as JsonSchema).additionalProperties, false, `${what}: open query`);
      }
      if (method !== 'GET' && method !== 'DELETE' && method !== 'HEAD') {
        const body = schema.body as JsonSchema | undefined;
        assert.ok(body, `${what}: no body schema`);
        const objects = body.anyOf ? body.anyOf.filter((s) => s.type === 'object') : [body];
        for (const o of objects) assert.equal(o.additionalProperties, false, `${what}: open body`);
      }
    }
  });

  test('the OpenAPI document lists every route, and error answers as {code, error, field}', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    const doc = r.json() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    for (const route of apiRoutes()) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      const method = String(route.method).toLowerCase();
      assert.ok(doc.paths[path]?.[method], `${method} ${path} in OpenAPI`);
    }
    const err = JSON.stringify(doc.paths['/api/servers/{id}']!.get!.responses['404']);
    assert.match(err, /"code"/);
    assert.match(err, /"field"/);
  });

  /**
   * The security review's malformed inputs (issue 16 L2), each a 500 before. Fastify's ajv
   * coerces scalars, so `probes: "abc"` (to `["abc"]`), `name: 5` and `host: 5` (to "5") and
   * `host: ["h"]` (to "h") are valid input now, tested apart below.
   */
  const malformed: [method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown][] = [
    ['GET', '/api/servers/2147483648'],
    ['GET', '/api/servers/2147483648/latest?probe=server_info'],
    ['GET', '/api/servers/999999999999999999999999999999'],
    ['GET', '/api/alert-admin/alerts/2147483648'],
    ['POST', '/api/alert-admin/alerts/2147483648/ack', {}],
    ['GET', '/api/alert-admin/alerts?agentId=2147483648'],
    ['GET', '/api/alert-admin/history?alertId=2147483648'],
    ['GET', '/api/alert-admin/deliveries?webhookId=2147483648'],
    ['GET', '/api/alert-admin/deliveries/999999999999999999999999999999'],
    ['GET', '/api/alert-admin/deliveries/99999999999999999999/attempts'],
    ['POST', '/api/alert-admin/deliveries/99999999999999999999/requeue'],
    ['GET', '/api/probe-log?serverId=2147483648'],
    ['PUT', '/api/alert-admin/email-groups/2147483648', { name: 'x' }],
    ['GET', '/api/alert-admin/problems?limit=abc'],
    ['GET', '/api/alert-admin/problems?limit=-1'],
    ['GET', '/api/alert-admin/problems?limit=1.5'],
    ['GET', '/api/alert-admin/problems?limit=1&limit=2'],
    ['GET', '/api/alert-admin/problems?limit=1;%20select%20pg_sleep(3)'],
    ['GET', '/api/servers/1/series?probe=database_stats&fields=xact_commit&object=%00'],
    ['PUT', '/api/alert-admin/templates/sec_%00x', { level: 'agent' }],
    ['POST', '/api/alert-admin/webhooks', { name: 'a\u0000b', url: 'https://x/' }],
    ['POST', '/api/alert-admin/webhooks', { name: 'a', url: 'https://x/', headers: { h: 'v\u0000' } }],
    ['POST', '/api/alert-admin/email-groups', { name: 'a\u0000' }],
    ['PUT', '/api/alert-admin/templates/t', { intervalS: 2147483648 }],
    ['PUT', '/api/alert-admin/templates/t', { builtin: true }],
    ['PUT', '/api/alert-admin/templates/t', { name: 'other' }],
    ['PUT', '/api/alert-admin/templates/t', { description: {} }],
    ['PUT', '/api/alert-admin/templates/t', { probes: [1, {}] }],
    ['PUT', '/api/alert-admin/templates/t', { autoBind: 'yes' }],
    ['POST', '/api/alert-admin/email-groups', { name: {} }],
    ['POST', '/api/alert-admin/email-groups', { enabled: 'nope' }],
    ['PATCH', '/api/alert-admin/alerts/1', { intervalS: 2147483648 }],
    ['PATCH', '/api/alert-admin/alerts/1', { reminderS: 2147483648 }],
    ['PATCH', '/api/alert-admin/alerts/1', { emailGroupId: 2147483648 }],
    ['POST', '/api/alert-admin/alerts/1/ack', [1]],
    ['POST', '/api/alert-admin/alerts/1/ack', 'text'],
    ['POST', '/api/alert-admin/alerts/1/ack', 5],
    ['POST', '/api/alert-admin/alerts/1/ack', { note: 'x', extra: 1 }],
    ['POST', '/api/login', { user: 'sec_user\u0000options\u0000-c work_mem=abc', password: 'x' }],
    // the fleet's routes (issue 14)
    ['POST', '/api/servers', { displayName: 'a', host: 'h', user: 'u', agentId: 2147483648 }],
    ['POST', '/api/servers', { displayName: 'a', host: 'h', user: 'u', agentId: 1, colour: 'red' }],
    ['POST', '/api/servers/test', { host: 'h\u0000', user: 'u', agentId: 1 }],
    ['POST', '/api/servers/prepare', { host: 'h', user: 'u', agentId: 1, port: 70000 }],
    ['PATCH', '/api/servers/1', { port: 'x' }],
    ['PATCH', '/api/servers/2147483648', { notes: 'x' }],
    ['POST', '/api/clusters', { restEndpoints: [], agentId: 1, user: 'u' }],
    ['POST', '/api/clusters/read', { restEndpoints: ['https://10.0.0.1:8008'], agentId: 0 }],
    ['POST', '/api/enrolment-tokens', { name: 'x', validForS: 10 }],
    ['POST', '/api/enrol', { token: 't', displayName: 'x', extra: 1 }],
    ['POST', '/api/enrol', { displayName: 'x' }],
  ];

  test('malformed input is a 400 with a catalogue code and, for a field, its name; never a 500', async () => {
    for (const [method, url, body] of malformed) {
      const r = await app.inject({
        method,
        url,
        ...(body === undefined
          ? {}
          : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      const what = `${method} ${url} ${JSON.stringify(body) ?? ''}`;
      assert.equal(r.statusCode, 400, `${what}: ${r.body}`);
      const answer = r.json() as { code: string; error: string; field?: string };
      assert.ok(answer.code in ERRORS, `${what}: code ${answer.code}`);
      assert.equal(answer.code, 'PHAROS_API_VALIDATION', what);
      assert.equal(typeof answer.error, 'string');
    }
  });

  test('scalars that ajv coerces to the declared type are valid input (they reach the session check)', async () => {
    for (const [method, url, body] of [
      ['PUT', '/api/alert-admin/templates/t', { probes: 'abc' }],
      ['POST', '/api/alert-admin/email-groups', { name: 5 }],
      ['PUT', '/api/alert-admin/smtp', { host: 5 }],
      ['PUT', '/api/alert-admin/smtp', { host: ['h'] }],
    ] as const) {
      const r = await app.inject({ method, url, payload: body });
      assert.deepEqual(
        [r.statusCode, r.json().code],
        [401, 'PHAROS_AUTH_NOT_LOGGED_IN'],
        `${url} ${JSON.stringify(body)}`,
      );
    }
  });

  test('validation names the field; no route is 404 {code: PHAROS_API_NO_ROUTE}', async () => {
    const r = await app.inject({
      method: 'PATCH',
      url: '/api/alert-admin/alerts/1',
      payload: { high: 'lots' },
    });
    assert.deepEqual([r.statusCode, r.json().code, r.json().field], [400, 'PHAROS_API_VALIDATION', 'high']);
    const q = await app.inject({ method: 'GET', url: '/api/alert-admin/problems?limit=abc' });
    assert.equal(q.json().field, 'limit');
    const long = await app.inject({
      method: 'PUT',
      url: `/api/alert-admin/templates/${'x'.repeat(3000)}`,
      payload: {},
    });
    assert.deepEqual([long.statusCode, long.json().code], [414, 'PHAROS_API_URL_TOO_LONG']);
    const badUrl = await app.inject({ method: 'GET', url: '/api/servers/%E0%A4%A' });
    assert.deepEqual([badUrl.statusCode, badUrl.json().code], [400, 'PHAROS_API_BAD_REQUEST']);
    const none = await app.inject({ method: 'GET', url: '/api/nothing' });
    assert.deepEqual(
      [none.statusCode, none.json()],
      [404, { code: 'PHAROS_API_NO_ROUTE', error: 'no route GET /api/nothing' }],
    );
    const login = await app.inject({ method: 'GET', url: '/api/session' });
    assert.deepEqual(
      [login.statusCode, login.json()],
      [401, { code: 'PHAROS_AUTH_NOT_LOGGED_IN', error: 'not logged in' }],
    );
    const form = await app.inject({
      method: 'POST',
      url: '/api/login',
      payload: 'user=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.deepEqual([form.statusCode, form.json().code], [415, 'PHAROS_API_MEDIA_TYPE']);
  });
});
