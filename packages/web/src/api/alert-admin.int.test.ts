/**
 * The alert administration routes (alert-admin.ts, alert-admin-notify.ts)
 * on a bare Fastify app (cookie plugin, the app's error handlers, these
 * routes; sessions from a stand-in store) over a real migrated backend
 * (127.0.6.55) reached as a pem_web member: reads for users, writes for
 * admins only and with the CSRF token, bad input answered 400 with the
 * reason and the field at fault, secrets never returned, one notification
 * with its attempts. The built-in templates' parameters are checked against
 * the probe catalog (contract/alert-params.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import cookie from '@fastify/cookie';
import { TEMPLATE_CHECK_TIMEOUT_MS } from '@pharos/backend/alerts/admin-templates';
import { type AlertBackend, startAlertBackend } from '@pharos/backend/testing/backend';
import Fastify, { type FastifyInstance } from 'fastify';
import { alertParamsProblems } from '../../ui/contract/alert-params.js';
import { SESSION_COOKIE } from '../auth/cookie.js';
import type { Session, SessionStore } from '../auth/session-store.js';
import { newSessionId } from '../auth/session-token.js';
import { registerAlertAdminRoutes } from './alert-admin.js';
import { registerAlertNotifyAdminRoutes } from './alert-admin-notify.js';
import { installErrorHandlers } from './errors.js';

describe('alert administration routes (real backend)', { timeout: 120_000 }, () => {
  let b: AlertBackend;
  let app: FastifyInstance;
  const ids = { admin: newSessionId(), user: newSessionId() };
  const sessions = new Map<string, Session>([
    [
      ids.admin,
      {
        idHash: Buffer.alloc(0),
        roleName: 'alice',
        isAdmin: true,
        csrfToken: 'csrf-a',
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 3600e3),
      },
    ],
    [
      ids.user,
      {
        idHash: Buffer.alloc(0),
        roleName: 'bob',
        isAdmin: false,
        csrfToken: 'csrf-b',
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 3600e3),
      },
    ],
  ]);
  const store = { find: async (id: string) => sessions.get(id) } as unknown as SessionStore;
  const call = (
    who: 'admin' | 'user',
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
  ) =>
    app.inject({
      method,
      url,
      cookies: { [SESSION_COOKIE]: ids[who] },
      headers: method === 'GET' ? {} : { 'x-csrf-token': who === 'admin' ? 'csrf-a' : 'csrf-b' },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  before(async () => {
    b = await startAlertBackend({ address: '127.0.6.55' });
    await b.addAgent(1, { backend: true });
    await b.addAgent(2);
    await b.sql("CREATE ROLE web_svc LOGIN PASSWORD 'web-pw' IN ROLE pem_web");
    app = Fastify({ logger: false });
    await app.register(cookie);
    installErrorHandlers(app);
    const db = b.connAs('web_svc', 'web-pw');
    registerAlertAdminRoutes(app, db, store);
    registerAlertNotifyAdminRoutes(app, db, store);
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await b?.stop();
  });

  it('lists the built-in templates, whose parameters name probes and columns the agent has', async () => {
    const list = await call('user', 'GET', '/api/alert-admin/templates');
    assert.equal(list.statusCode, 200);
    const builtin = (
      list.json() as { name: string; builtin: boolean; params: Record<string, unknown> }[]
    ).filter((t) => t.builtin);
    assert.ok(
      builtin.filter((t) => typeof t.params.column === 'string').length >= 10,
      'templates over columns',
    );
    for (const t of builtin) assert.deepEqual(alertParamsProblems(t.params), [], t.name);
  });

  it('lists and shows alerts to users; configures them for admins only; 400 with the reason for bad thresholds', async () => {
    const list = await call('user', 'GET', '/api/alert-admin/alerts?agentId=2');
    assert.equal(list.statusCode, 200);
    const mem = list.json().find((a: { template: string }) => a.template === 'Memory used');
    assert.ok(mem);
    assert.equal(
      (await call('user', 'GET', `/api/alert-admin/alerts/${mem.id}`)).json().template,
      'Memory used',
    );
    const missing = await call('user', 'GET', '/api/alert-admin/alerts/999999');
    assert.deepEqual([missing.statusCode, missing.json().code], [404, 'PHAROS_ALERT_NOT_FOUND']);
    const notAdmin = await call('user', 'PATCH', `/api/alert-admin/alerts/${mem.id}`, { high: 99 });
    assert.deepEqual([notAdmin.statusCode, notAdmin.json().code], [403, 'PHAROS_AUTH_ADMIN_ONLY']);
    const answer = (r: { statusCode: number; json(): { code: string; field?: string } }) => [
      r.statusCode,
      r.json().code,
      r.json().field,
    ];
    const bad = await call('admin', 'PATCH', `/api/alert-admin/alerts/${mem.id}`, { low: 95, medium: 90 });
    assert.deepEqual(answer(bad), [400, 'PHAROS_ALERT_THRESHOLDS_INVALID', 'thresholds'], 'names the field');
    const badType = await call('admin', 'PATCH', `/api/alert-admin/alerts/${mem.id}`, { high: 'lots' });
    assert.deepEqual(answer(badType), [400, 'PHAROS_API_VALIDATION', 'high']);
    const badInterval = await call('admin', 'PATCH', `/api/alert-admin/alerts/${mem.id}`, { intervalS: 0 });
    assert.deepEqual(answer(badInterval), [400, 'PHAROS_ALERT_INTERVAL_INVALID', 'intervalS']);
    const badGroup = await call('admin', 'PATCH', `/api/alert-admin/alerts/${mem.id}`, {
      emailGroupId: 4242,
    });
    assert.deepEqual(answer(badGroup), [400, 'PHAROS_ALERT_EMAIL_GROUP_UNKNOWN', 'emailGroupId']);
    const ok = await call('admin', 'PATCH', `/api/alert-admin/alerts/${mem.id}`, {
      high: 99,
      intervalS: 120,
    });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual([ok.json().high, ok.json().interval_s], [99, 120]);
    const ack = await call('admin', 'POST', `/api/alert-admin/alerts/${mem.id}/ack`, {});
    assert.deepEqual([ack.statusCode, ack.json().code], [409, 'PHAROS_ALERT_NOT_RAISED']);
    assert.equal((await call('user', 'GET', '/api/alert-admin/problems')).statusCode, 200);
    assert.ok((await call('user', 'GET', '/api/alert-admin/templates')).json().length >= 25);
    const badTpl = await call('admin', 'PUT', '/api/alert-admin/templates/Broken', {
      level: 'agent',
      sql: 'SELECT 1/0 AS value FROM nowhere',
      operator: '>',
      low: 1,
      medium: 2,
      high: 3,
      intervalS: 60,
    });
    assert.deepEqual(
      [badTpl.statusCode, badTpl.json().code, badTpl.json().field],
      [400, 'PHAROS_TEMPLATE_SQL_FAILS', 'sql'],
    );
    // a slow template is cancelled by the server at the check's timeout (security review L1): 400 on
    // field sql, not a 500 at the client deadline with the query still running on the primary
    const started = Date.now();
    const slow = await call('admin', 'PUT', '/api/alert-admin/templates/Slow', {
      level: 'agent',
      sql: 'SELECT 1 AS value FROM pg_sleep(30)',
      operator: '>',
      low: 1,
      medium: 2,
      high: 3,
      intervalS: 60,
    });
    assert.deepEqual(
      [slow.statusCode, slow.json().code, slow.json().field],
      [400, 'PHAROS_TEMPLATE_SQL_TOO_SLOW', 'sql'],
      slow.body,
    );
    assert.match(slow.json().error, new RegExp(`ran longer than ${TEMPLATE_CHECK_TIMEOUT_MS} ms`));
    assert.ok(
      Date.now() - started < TEMPLATE_CHECK_TIMEOUT_MS + 2000,
      `answered after ${Date.now() - started} ms`,
    );
    const sleeping = await b.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()",
    );
    assert.equal(sleeping[0]!.n, 0, 'the check query still runs');
    assert.equal((await b.sql("SELECT 1 FROM pem.alert_template WHERE name = 'Slow'")).length, 0);
  });

  it('manages webhooks and SMTP for admins, never shows secrets, queues a test and shows its delivery', async () => {
    const noCsrf = await app.inject({
      method: 'POST',
      url: '/api/alert-admin/webhooks',
      cookies: { [SESSION_COOKIE]: ids.admin },
      payload: {},
    });
    assert.deepEqual([noCsrf.statusCode, noCsrf.json().code], [403, 'PHAROS_AUTH_CSRF']);
    const w = await call('admin', 'POST', '/api/alert-admin/webhooks', {
      name: 'ops',
      url: 'https://hooks.example.com:8443/services/T0/SECRETPATH?token=SECRETQUERY',
      headers: { Authorization: 'Bearer t0k' },
    });
    assert.equal(w.statusCode, 200);
    // a reader sees the URL's origin only: path and query are often the credential (security review M5)
    const list = await call('user', 'GET', '/api/alert-admin/webhooks');
    for (const secret of ['t0k', 'SECRETPATH', 'SECRETQUERY'])
      assert.ok(!list.body.includes(secret), `a reader sees ${secret}`);
    assert.deepEqual(list.json()[0].header_names, ['Authorization']);
    assert.equal(list.json()[0].url_origin, 'https://hooks.example.com:8443');
    assert.equal(list.json()[0].url, undefined);
    // an administrator, who edits it, sees the whole URL (never the header values)
    const adminList = await call('admin', 'GET', '/api/alert-admin/webhooks');
    assert.equal(
      adminList.json()[0].url,
      'https://hooks.example.com:8443/services/T0/SECRETPATH?token=SECRETQUERY',
    );
    assert.ok(!adminList.body.includes('t0k'));
    // and so does a pem_user reading the view in the database itself
    const [row] = await b.sql<Record<string, unknown>>('SELECT * FROM pem.webhook_public');
    assert.equal(row!.url_origin, 'https://hooks.example.com:8443');
    assert.ok(!('url' in row!));
    const ftp = await call('admin', 'POST', '/api/alert-admin/webhooks', { name: 'x', url: 'ftp://x' });
    assert.deepEqual(
      [ftp.statusCode, ftp.json().code, ftp.json().field],
      [400, 'PHAROS_WEBHOOK_URL_SCHEME', 'url'],
    );
    const twin = await call('admin', 'POST', '/api/alert-admin/webhooks', {
      name: 'ops',
      url: 'https://other.example.com/',
    });
    assert.equal(twin.statusCode, 400, 'a duplicate name is bad input, not a 500');
    assert.deepEqual([twin.json().code, twin.json().field], ['PHAROS_WEBHOOK_NAME_TAKEN', 'name']);
    const slow = await call('admin', 'PUT', `/api/alert-admin/webhooks/${w.json().id}`, {
      name: 'ops',
      url: 'https://hooks.example.com/x',
      timeoutMs: 5,
    });
    assert.deepEqual(
      [slow.statusCode, slow.json().code, slow.json().field],
      [400, 'PHAROS_WEBHOOK_TIMEOUT_INVALID', 'timeoutMs'],
    );
    const t = await call('admin', 'POST', `/api/alert-admin/webhooks/${w.json().id}/test`);
    assert.equal(t.statusCode, 200);
    const d = await call('user', 'GET', '/api/alert-admin/deliveries?status=pending');
    assert.equal(Number(d.json()[0].id), t.json().deliveryId);
    assert.equal(
      (await call('user', 'GET', `/api/alert-admin/deliveries/${t.json().deliveryId}/attempts`)).json()
        .length,
      0,
    );
    const one = await call('user', 'GET', `/api/alert-admin/deliveries/${t.json().deliveryId}`);
    assert.equal(one.statusCode, 200);
    assert.deepEqual(
      [one.json().delivery.webhook_name, one.json().delivery.event, one.json().delivery.status],
      ['ops', 'test', 'pending'],
    );
    assert.deepEqual(one.json().attempts, []);
    const noDelivery = await call('user', 'GET', '/api/alert-admin/deliveries/999999');
    assert.deepEqual([noDelivery.statusCode, noDelivery.json().code], [404, 'PHAROS_DELIVERY_NOT_FOUND']);
    const s = await call('admin', 'PUT', '/api/alert-admin/smtp', {
      host: 'smtp.example.com',
      port: 587,
      security: 'starttls',
      userName: 'u',
      password: 'pw-s3cret',
      fromAddress: 'p@example.com',
    });
    assert.equal(s.statusCode, 200);
    const got = await call('user', 'GET', '/api/alert-admin/smtp');
    assert.equal(got.json().password_set, true);
    assert.ok(!got.body.includes('pw-s3cret'));
    const smtp = { host: 'smtp.example.com', port: 587, security: 'starttls', fromAddress: 'p@example.com' };
    for (const timeoutMs of [5, -2147483649]) {
      const bad = await call('admin', 'PUT', '/api/alert-admin/smtp', { ...smtp, timeoutMs });
      assert.deepEqual(
        [bad.statusCode, bad.json().code, bad.json().field],
        [400, 'PHAROS_SMTP_TIMEOUT_INVALID', 'timeoutMs'],
        String(timeoutMs),
      );
    }
    // null is "none", stored as NULL (not coerced to '' by the validator) and the password goes too
    const none = await call('admin', 'PUT', '/api/alert-admin/smtp', {
      ...smtp,
      userName: null,
      password: null,
      tlsCaPem: null,
    });
    assert.equal(none.statusCode, 200);
    const stored = (await call('user', 'GET', '/api/alert-admin/smtp')).json();
    assert.deepEqual([stored.user_name, stored.password_set, stored.tls_ca_pem], [null, false, null]);
  });
});
