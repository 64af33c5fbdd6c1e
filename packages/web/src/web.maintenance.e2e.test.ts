/**
 * Maintenance windows through the web tier: the API (pem_user reads,
 * pem_admin starts and stops; each refusal a 4xx naming its field; nothing
 * stored on error) and the UI in headless Chromium (Debian's, driven by
 * playwright-core) against a real backend and web instance on 127.0.27.x.
 *
 * As an administrator: starts a window on a server from #/maintenance,
 * sees the server's refusal of an unknown time zone next to the field, sees
 * the window listed with who set it, why and until when, sees "in
 * maintenance" on the overview and on the server page, stops it. A pem_user
 * sees the list without the form or stop buttons. No console error and no
 * CSP violation is tolerated.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ARTIFACTS, launchChromium, watchPageProblems } from '@pharos/testkit/browser/browser';
import { type ApiRequestOptions, apiRequest, cookieFrom } from '@pharos/testkit/http/https-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SESSION_COOKIE } from './auth/cookie.js';
import { PASSWORDS, startTestBackend, type TestBackend } from './testing/backend-fixture.js';
import { startTestInstance, type TestInstance } from './testing/web-instance.js';

const BACKEND = '127.0.27.10';
const WEB = '127.0.27.11';
const HARNESS = '127.0.27.12';

describe('maintenance windows: API and UI', { timeout: 300_000 }, () => {
  let backend: TestBackend;
  let web: TestInstance;
  let ca: Buffer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  const call = (path: string, opts: Partial<ApiRequestOptions> = {}) =>
    apiRequest(new URL(path, web.url).toString(), { ca, localAddress: HARNESS, ...opts });
  const login = async (user: 'alice' | 'bob') => {
    const r = await call('/api/login', { json: { user, password: PASSWORDS[user] } });
    assert.equal(r.status, 200, r.text);
    const cookie = cookieFrom(r.setCookie, SESSION_COOKIE)!;
    const csrf = (r.body as { csrfToken: string }).csrfToken;
    return {
      get: (path: string) => call(path, { cookie }),
      post: (path: string, json: unknown) =>
        call(path, { method: 'POST', json, cookie, headers: { 'x-csrf-token': csrf } }),
    };
  };
  const windowCount = async () => Number(await backend.psql('SELECT count(*) FROM pem.maintenance_window'));
  const loginPage = async (user: 'alice' | 'bob') => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1500, height: 950 },
    });
    contexts.push(context);
    const p = await context.newPage();
    watchPageProblems(p, problems);
    await p.goto(web.url);
    await p.fill('#login-user', user);
    await p.fill('#login-password', PASSWORDS[user]);
    await p.click('#login-submit');
    await p.locator('#who-name', { hasText: user }).waitFor();
    return p;
  };

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB, HARNESS],
      harnessAddress: HARNESS,
    });
    ca = readFileSync(backend.pki.caCert);
    web = await startTestInstance(backend, WEB);
    browser = await launchChromium();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await web?.close();
    await backend?.stop();
  });

  it('API: pem_user reads, pem_admin starts and stops; refusals name the field and store nothing', async () => {
    const bob = await login('bob');
    const alice = await login('alice');
    assert.deepEqual((await bob.get('/api/maintenance')).body, []);
    const forbidden = await bob.post('/api/maintenance', { scope: 'fleet', durationS: 600, reason: 'r' });
    assert.equal(forbidden.status, 403);
    assert.equal((forbidden.body as { code: string }).code, 'PHAROS_AUTH_ADMIN_ONLY');
    const refusals: [unknown, number, string, string][] = [
      [{ scope: 'fleet', durationS: 600 }, 400, 'PHAROS_API_VALIDATION', 'reason'],
      [{ scope: 'planet', durationS: 600, reason: 'r' }, 400, 'PHAROS_API_VALIDATION', 'scope'],
      [{ scope: 'fleet', durationS: 10, reason: 'r' }, 400, 'PHAROS_API_VALIDATION', 'durationS'],
      [{ scope: 'fleet', reason: 'r' }, 400, 'PHAROS_MAINTENANCE_INVALID', 'durationS'],
      [
        { scope: 'fleet', endsAt: '2020-01-01T00:00:00Z', reason: 'r' },
        400,
        'PHAROS_MAINTENANCE_INVALID',
        'endsAt',
      ],
      [{ scope: 'server', durationS: 600, reason: 'r' }, 400, 'PHAROS_MAINTENANCE_INVALID', 'serverId'],
      [
        { scope: 'server', serverId: 999, durationS: 600, reason: 'r' },
        404,
        'PHAROS_SERVER_NOT_FOUND',
        'serverId',
      ],
      [
        {
          scope: 'fleet',
          schedule: 'weekly',
          weekdays: [7],
          startTime: '02:00',
          durationS: 3600,
          timeZone: 'Mars/Olympus',
          reason: 'r',
        },
        400,
        'PHAROS_MAINTENANCE_INVALID',
        'timeZone',
      ],
      [
        {
          scope: 'fleet',
          schedule: 'weekly',
          weekdays: [8],
          startTime: '02:00',
          durationS: 3600,
          timeZone: 'UTC',
          reason: 'r',
        },
        400,
        'PHAROS_API_VALIDATION',
        'weekdays',
      ],
    ];
    for (const [body, status, code, field] of refusals) {
      const r = await alice.post('/api/maintenance', body);
      const b = r.body as { code: string; field?: string; error: string };
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(b.code, code, r.text);
      assert.equal(b.field, field, r.text);
    }
    assert.equal(await windowCount(), 0, 'nothing stored');
    const started = await alice.post('/api/maintenance', {
      scope: 'server',
      serverId: 1,
      durationS: 3600,
      reason: 'kernel update',
    });
    assert.equal(started.status, 201, started.text);
    const w = started.body as {
      id: number;
      status: string;
      createdBy: string;
      occurrence: { endsAt: string };
    };
    assert.equal(w.status, 'active');
    assert.equal(w.createdBy, 'alice');
    const listed = (await bob.get('/api/maintenance')).body as { id: number }[];
    assert.deepEqual(
      listed.map((x) => x.id),
      [w.id],
    );
    const fleet = (await bob.get('/api/fleet')).body as {
      servers: { id: number; maintenance: { setBy: string; reason: string; until: string } | null }[];
      agents: { id: number; maintenance: unknown }[];
    };
    const s1 = fleet.servers.find((s) => s.id === 1)!;
    assert.deepEqual(
      [s1.maintenance?.setBy, s1.maintenance?.reason, s1.maintenance?.until],
      ['alice', 'kernel update', w.occurrence.endsAt],
    );
    assert.equal(fleet.servers.find((s) => s.id === 2)!.maintenance, null);
    assert.ok(
      fleet.agents.every((a) => a.maintenance === null),
      'a server window does not cover agents',
    );
    const detail = (await bob.get('/api/servers/1')).body as { maintenance: { reason: string } | null };
    assert.equal(detail.maintenance?.reason, 'kernel update');
    assert.equal((await bob.post(`/api/maintenance/${w.id}/stop`, {})).status, 403);
    const stopped = await alice.post(`/api/maintenance/${w.id}/stop`, {});
    assert.equal(stopped.status, 200, stopped.text);
    assert.equal((stopped.body as { wasActive: boolean }).wasActive, true);
    const again = await alice.post(`/api/maintenance/${w.id}/stop`, {});
    assert.equal(again.status, 409);
    assert.equal((again.body as { code: string }).code, 'PHAROS_MAINTENANCE_STATE');
    assert.equal((await alice.post('/api/maintenance/999/stop', {})).status, 404);
    assert.deepEqual((await bob.get('/api/maintenance')).body, []);
    assert.equal(((await bob.get('/api/maintenance?all=true')).body as unknown[]).length, 1);
  });

  it('UI: an administrator starts a window, sees it everywhere, stops it; a pem_user only reads', async () => {
    const before = await windowCount();
    const page: Page = await loginPage('alice');
    await page.click('#nav-maintenance');
    await page.locator('#maintenance-none').waitFor();
    // a weekly window with a time zone that does not exist: the server's refusal next to the field
    await page.selectOption('#maintenance-serverId', { label: 'pem-backend-2' });
    await page.selectOption('#maintenance-schedule', 'weekly');
    await page.fill('#maintenance-timeZone', 'Mars/Olympus');
    await page.fill('#maintenance-reason', 'patch night');
    await page.click('#maintenance-start');
    await page.locator('#maintenance-error-timeZone', { hasText: 'IANA' }).waitFor();
    assert.equal(await windowCount(), before, 'nothing stored');
    // now for an hour
    await page.selectOption('#maintenance-schedule', 'now');
    await page.fill('#maintenance-lengthMin', '60');
    await page.click('#maintenance-start');
    await page.locator('#maintenance-form-status', { hasText: 'pem-backend-2' }).waitFor();
    const row = page.locator('#maintenance-table tbody tr').first();
    await row.locator('text=active until').waitFor();
    const rowText = (await row.textContent()) ?? '';
    assert.match(rowText, /server 2 \(pem-backend-2\)/);
    assert.match(rowText, /alice/);
    assert.match(rowText, /patch night/);
    // the overview and the server page say so
    await page.click('#nav-overview');
    const badge = page.locator('tr[data-id="2"] .maintenance .badge', { hasText: 'in maintenance' });
    await badge.waitFor();
    assert.match((await badge.getAttribute('title')) ?? '', /set by alice: patch night, until /);
    assert.equal(await page.locator('tr[data-id="1"] .maintenance').count(), 0);
    await page.goto(`${web.url}#/server/2`);
    await page.locator('#server-maintenance', { hasText: 'patch night' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}web-maintenance-server.png` });
    // a pem_user reads the list, without the form or stop buttons
    const bobPage = await loginPage('bob');
    await bobPage.click('#nav-maintenance');
    await bobPage.locator('#maintenance-table tbody tr').first().waitFor();
    assert.equal(await bobPage.locator('#maintenance-form').count(), 0);
    assert.equal(await bobPage.locator('.maintenance-stop').count(), 0);
    // stop it
    await page.click('#nav-maintenance');
    await page.locator('.maintenance-stop').first().click();
    await page.locator('#maintenance-none').waitFor();
    assert.equal(
      Number(await backend.psql('SELECT count(*) FROM pem.maintenance_window WHERE stopped_at IS NULL')),
      0,
    );
    // the browser logs the answers it was shown: 401 before the login, 400 the refused time zone
    assert.deepEqual(
      problems.filter((p) => !/status of (400|401)/.test(p)),
      [],
    );
  });
});
