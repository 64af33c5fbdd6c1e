/**
 * The API fuzzer (issue 16 acceptance, security review L2): every operation
 * of the OpenAPI document a real web instance serves (GET /api/openapi.json,
 * so routes added later are fuzzed too) gets hostile values — wrong types,
 * huge and negative numbers, NUL bytes, long strings, unknown fields and
 * parameters, whole bodies of the wrong type — one parameter or field at a
 * time (testing/fuzz/). A fixed seed picks at most {@link MAX_CASES} cases, so
 * every run sends the same requests. Asserted: nothing answers 5xx, and
 * nothing stored in schema pem changes (compared after every mutating request,
 * which names the request that changed it, and between the start and the end).
 *
 * Real parts: PostgreSQL with TLS (127.0.20.10), one web instance
 * (127.0.20.11). Three callers: anonymous, a pem_user member and a pem_admin
 * member (the role that reaches the most code, so it gets the most cases);
 * a caller who may not change something through a route gets the valid
 * request too, and it must change nothing. A 400 must name the input made
 * hostile (`field` of the answer).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { HaConnection } from '@pharos/core/ha/connection';
import { createCsr } from '@pharos/core/pki/csr';
import { type ApiResponse, apiRequest, cookieFrom } from '@pharos/testkit/http/https-client';
import { SESSION_COOKIE } from '../auth/cookie.js';
import { PASSWORDS, startTestBackend, type TestBackend } from '../testing/backend-fixture.js';
import { type FuzzCase, fuzzCases, type OpenApiDocument } from '../testing/fuzz/cases.js';
import { Random } from '../testing/fuzz/random.js';
import { changedTables, storedState } from '../testing/fuzz/stored-state.js';
import { startTestInstance, type TestInstance } from '../testing/web-instance.js';

const BACKEND = '127.0.20.10';
const WEB = '127.0.20.11';
const HARNESS = '127.0.20.12';
/** Source of the fuzzed logins (their refusals are counted per address in the backend). */
const LOGIN_FUZZ_CLIENT = '127.0.20.13';
/** The seed of the case selection (any fixed number: the same run every time). */
const SEED = 16;
/** Cases sent at most, over the three callers (the issue: "a few thousand requests ... under 3 minutes"). */
const MAX_CASES = 3000;

/** A caller: no session, a pem_user member (bob) or a pem_admin member (alice). */
interface Role {
  name: 'anonymous' | 'pem_user' | 'pem_admin';
  user?: keyof typeof PASSWORDS;
  cookie?: string;
  csrf?: string;
}

interface Findings {
  serverErrors: string[];
  changes: string[];
  unnamed: string[];
}

/** Valid bodies of the routes that store something, so a hostile field reaches the code behind the schema. */
const BODIES: Record<string, unknown> = {
  'POST /api/login': { user: 'fuzz-nobody', password: 'not-a-password' },
  'POST /api/alert-admin/webhooks': { name: 'fuzz-hook-2', url: 'https://hooks.example.invalid/y' },
  'PUT /api/alert-admin/webhooks/{id}': { name: 'fuzz-hook', url: 'https://hooks.example.invalid/x' },
  'POST /api/alert-admin/email-groups': { name: 'fuzz-group-2', recipients: ['dba@example.com'] },
  'PUT /api/alert-admin/email-groups/{id}': { name: 'fuzz-group', recipients: ['dba@example.com'] },
  'PUT /api/alert-admin/smtp': {
    host: 'smtp.example.invalid',
    port: 587,
    security: 'starttls',
    fromAddress: 'pharos@example.com',
  },
  'PUT /api/alert-admin/templates/{name}': {
    level: 'server',
    sql: 'SELECT 1 AS value',
    operator: '>',
    low: 1,
    medium: 2,
    high: 3,
    intervalS: 60,
  },
  'PATCH /api/alert-admin/alerts/{id}': { enabled: true },
  // a valid custom probe checked on a server that does not exist: refused (404) before an agent task is asked
  ...Object.fromEntries(
    ['POST /api/probes', 'POST /api/probes/check', 'PUT /api/probes/{name}'].map((op) => [
      op,
      {
        ...(op.startsWith('POST') ? { name: 'custom_fuzz_2' } : {}),
        level: 'server',
        sql: { '13': 'SELECT 1::int AS n' },
        columns: [{ name: 'n', type: 'integer', unit: 'count' }],
        intervalS: 60,
        checkServerId: 999_999,
      },
    ]),
  ),
  'PATCH /api/preferences': { theme: 'dark' },
  'POST /api/maintenance': { scope: 'fleet', durationS: 600, reason: 'fuzz' },
  'POST /api/api-tokens': { name: 'fuzz-token', validForS: 3600 },
  // refused for its token (no such token), after the body's own checks; its csr, a real one, is made in before()
  'POST /api/enrol': { token: 'fuzz-no-such-token', displayName: 'fuzz-host', csr: '' },
};

/**
 * Answers that rightly name another field than the one the case changed:
 * enrolment checks its token (the caller's only credential) before the rest
 * of the body, so an unauthenticated caller learns nothing of the body, and
 * `csr` and `certificate` are one choice (either, not both) named by `csr`.
 */
function namedInstead(c: FuzzCase, r: ApiResponse, field: unknown): boolean {
  if (c.operation !== 'POST /api/enrol') return false;
  const code = (r.body as { code?: unknown } | undefined)?.code;
  if (field === 'token' && code === 'PHAROS_ENROL_TOKEN_REFUSED') return true;
  return field === 'csr' && c.field === 'certificate' && code === 'PHAROS_ENROL_INVALID';
}

describe('API fuzzer: hostile input to every route, no 5xx, nothing stored changes', {
  timeout: 600_000,
}, () => {
  let backend: TestBackend;
  let web: TestInstance;
  let ca: Buffer;
  let su: HaConnection;
  const roles: Record<Role['name'], Role> = {
    anonymous: { name: 'anonymous' },
    pem_user: { name: 'pem_user', user: 'bob' },
    pem_admin: { name: 'pem_admin', user: 'alice' },
  };
  const ids: Record<string, string> = {};

  const call = (
    role: Role,
    path: string,
    o: { method?: string; json?: unknown; raw?: string | undefined; from?: string } = {},
  ) =>
    apiRequest(new URL(path, web.url).toString(), {
      ca,
      localAddress: o.from ?? HARNESS,
      ...(role.cookie ? { cookie: role.cookie, headers: { 'x-csrf-token': role.csrf ?? '' } } : {}),
      ...(o.method ? { method: o.method } : {}),
      ...(o.json !== undefined ? { json: o.json } : {}),
      ...(o.raw !== undefined ? { raw: { body: o.raw, contentType: 'application/json' } } : {}),
    });
  const login = async (role: Role) => {
    const r = await apiRequest(new URL('/api/login', web.url).toString(), {
      ca,
      localAddress: HARNESS,
      json: { user: role.user, password: PASSWORDS[role.user!] },
    });
    assert.equal(r.status, 200, r.text);
    role.cookie = cookieFrom(r.setCookie, SESSION_COOKIE) ?? '';
    role.csrf = (r.body as { csrfToken: string }).csrfToken;
  };
  const created = async (r: Promise<ApiResponse>, what: string) => {
    const a = await r;
    assert.ok(a.status < 300, `${what}: ${a.status} ${a.text}`);
    return a.body as Record<string, unknown>;
  };
  /** A valid value of a path parameter: the object made in before(), so a valid id reaches the code behind it. */
  const pathValue = (path: string, name: string): string => {
    if (path.startsWith('/api/alert-admin/webhooks/')) return ids.webhook!;
    if (path.startsWith('/api/alert-admin/email-groups/')) return ids.group!;
    if (path.startsWith('/api/alert-admin/deliveries/')) return ids.delivery!;
    if (path.startsWith('/api/alert-admin/alerts/')) return ids.alert!;
    if (path.startsWith('/api/alert-admin/templates/')) return ids.template!;
    if (path.startsWith('/api/maintenance/')) return ids.maintenance!;
    if (path.startsWith('/api/probes/')) return 'custom_fuzz';
    return name === 'id' || name.endsWith('Id') || name === 'pid' ? '1' : 'x';
  };

  before(async () => {
    (BODIES['POST /api/enrol'] as { csr: string }).csr = (
      await createCsr({ commonName: 'fuzz-host' })
    ).csrPem;
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB, HARNESS],
      harnessAddress: HARNESS,
    });
    web = await startTestInstance(backend, WEB, { login_rate_limit_per_minute: 10_000 });
    ca = readFileSync(backend.pki.caCert);
    su = new HaConnection({
      conninfo: `host=${BACKEND} dbname=pem user=postgres password=${backend.primary.superuserPassword} sslmode=verify-full sslrootcert=${backend.pki.caCert}`,
      sourceAddress: HARNESS,
    });
    await login(roles.pem_user);
    await login(roles.pem_admin);
    const admin = roles.pem_admin;
    // one object of each kind, so a valid id reaches the code behind the id
    ids.webhook = String(
      (
        await created(
          call(admin, '/api/alert-admin/webhooks', {
            json: { name: 'fuzz-hook', url: 'https://hooks.example.invalid/x', enabled: true },
          }),
          'webhook',
        )
      ).id,
    );
    ids.group = String(
      (
        await created(
          call(admin, '/api/alert-admin/email-groups', {
            json: { name: 'fuzz-group', recipients: ['dba@example.com'] },
          }),
          'email group',
        )
      ).id,
    );
    ids.delivery = String(
      (
        await created(
          call(admin, `/api/alert-admin/webhooks/${ids.webhook}/test`, { method: 'POST' }),
          'test notification',
        )
      ).deliveryId,
    );
    ids.alert = String(
      (await su.query<{ id: number }>('SELECT min(id) AS id FROM pem.alert')).rows[0]?.id ?? 1,
    );
    ids.maintenance = String(
      (
        await created(
          call(admin, '/api/maintenance', { json: BODIES['POST /api/maintenance'] }),
          'maintenance window',
        )
      ).id,
    );
    ids.template = 'fuzz_template';
    await created(
      call(admin, `/api/alert-admin/templates/${ids.template}`, {
        method: 'PUT',
        json: BODIES['PUT /api/alert-admin/templates/{name}'],
      }),
      'template',
    );
  });
  after(async () => {
    await su?.close();
    await web?.close();
    await backend?.stop();
  });

  /** Fuzzes every route as `role`; returns what went wrong (5xx, stored changes, 400s not naming the field). */
  async function fuzzAs(role: Role, doc: OpenApiDocument, maxCases: number): Promise<Findings> {
    const { cases: all, skipped } = fuzzCases(doc, {
      pathValue,
      baseBody: (op) => BODIES[op],
      skip: {
        'POST /api/logout': "it ends the fuzzer's session and takes no input",
        ...(role.name === 'anonymous'
          ? {}
          : { 'POST /api/login': 'fuzzed as the anonymous caller (a login replaces the session)' }),
      },
      mayChange: (op) =>
        role.name === 'pem_admin' ||
        // a reader sets its preferences and makes and revokes its own API tokens
        (role.name === 'pem_user' &&
          ['PATCH /api/preferences', 'POST /api/api-tokens', 'DELETE /api/api-tokens/{id}'].includes(op)) ||
        (role.name === 'anonymous' && op === 'POST /api/login'),
    });
    const cases = new Random(SEED).sample(all, maxCases);
    const operations = new Set(all.map((c) => c.operation));
    console.log(
      `fuzz as ${role.name}: ${cases.length} of ${all.length} cases over ${operations.size} operations; skipped: ${skipped.join('; ')}`,
    );
    const found: Findings = { serverErrors: [], changes: [], unnamed: [] };
    const describeCase = (c: FuzzCase, r: ApiResponse) =>
      `${role.name} ${c.method} ${c.url.slice(0, 120)} [${c.label}] -> ${r.status} ${r.text.slice(0, 160)}`;
    let state = await storedState(su);
    for (const c of cases) {
      // login cases come from their own address: their refusals count against it (login-throttle.ts)
      const from = c.operation === 'POST /api/login' ? LOGIN_FUZZ_CLIENT : HARNESS;
      let r = await call(role, c.url, { method: c.method, json: c.body, raw: c.rawBody, from });
      if (r.status === 401 && role.cookie && c.operation !== 'POST /api/login') {
        // anything that ended the session (it should not) is re-established and the case sent again
        if ((await call(role, '/api/session')).status === 401) {
          await login(role);
          r = await call(role, c.url, { method: c.method, json: c.body, raw: c.rawBody, from });
        }
      }
      if (r.status >= 500) found.serverErrors.push(describeCase(c, r));
      const field = (r.body as { field?: unknown } | undefined)?.field;
      if (r.status === 400 && c.field !== undefined && field !== c.field && !namedInstead(c, r, field))
        found.unnamed.push(`${describeCase(c, r)} (field ${String(field)}, expected ${c.field})`);
      if (c.mutating) {
        const now = await storedState(su);
        const changed = changedTables(state, now);
        if (changed.length > 0) found.changes.push(`${describeCase(c, r)} changed ${changed.join(', ')}`);
        state = now;
      }
    }
    return found;
  }

  it('answers every hostile request of an anonymous caller, a reader and an administrator with a 4xx (or a 2xx read) naming the field, and changes nothing stored', async () => {
    const doc = (await call(roles.pem_admin, '/api/openapi.json')).body as OpenApiDocument;
    assert.ok(Object.keys(doc.paths).length > 10, 'the OpenAPI document lists the routes');
    const start = await storedState(su);
    const found: Findings = { serverErrors: [], changes: [], unnamed: [] };
    for (const [role, share] of [
      [roles.anonymous, 0.2],
      [roles.pem_user, 0.25],
      [roles.pem_admin, 0.55],
    ] as const) {
      const f = await fuzzAs(role, doc, Math.round(MAX_CASES * share));
      for (const k of Object.keys(found) as (keyof Findings)[]) found[k].push(...f[k]);
    }
    const end = await storedState(su);
    assert.deepEqual(found.serverErrors, [], `${found.serverErrors.length} hostile requests answered 5xx`);
    assert.deepEqual(found.changes, [], `${found.changes.length} hostile requests changed what is stored`);
    assert.deepEqual(changedTables(start, end), [], 'stored state differs between start and end');
    assert.deepEqual(found.unnamed, [], `${found.unnamed.length} answers 400 do not name the field at fault`);
  });
});
