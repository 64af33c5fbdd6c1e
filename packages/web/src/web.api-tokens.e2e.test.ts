/**
 * The API tokens page in headless Chromium (issue 18): a pem_user makes a
 * token, sees it once with how to use it, the token works for a script (an
 * HTTPS client outside the browser) and is read-only; after "Revoke" on the
 * page the script is refused. An administrator sees every role's tokens.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ARTIFACTS, launchChromium, watchPageProblems } from '@pharos/testkit/browser/browser';
import { apiRequest } from '@pharos/testkit/http/https-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PASSWORDS, startTestBackend, type TestBackend } from './testing/backend-fixture.js';
import { startTestInstance, type TestInstance } from './testing/web-instance.js';

const BACKEND = '127.0.4.93';
const WEB = '127.0.4.94';
const HARNESS = '127.0.4.95';

describe('API tokens page in headless Chromium', () => {
  let backend: TestBackend;
  let web: TestInstance;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ca: Buffer;
  const problems: string[] = [];
  const script = (token: string, path: string, method = 'GET') =>
    apiRequest(new URL(path, web.url).toString(), {
      ca,
      localAddress: HARNESS,
      method,
      headers: { authorization: `Bearer ${token}` },
      ...(method === 'POST' ? { json: { name: 'x' } } : {}),
    });
  const logIn = async (user: 'alice' | 'bob') => {
    await page.goto(`${web.url}#/api-tokens`);
    await page.fill('#login-user', user);
    await page.fill('#login-password', PASSWORDS[user]);
    await page.click('#login-submit');
    await page.locator('#api-tokens-view').waitFor();
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
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    watchPageProblems(page, problems);
    page.on('dialog', (d) => void d.accept());
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await backend?.stop();
  });

  it('makes a token shown once, that a script uses read-only until it is revoked on the page', async () => {
    await logIn('bob');
    await page.locator('#no-api-tokens').waitFor();
    await page.click('#api-token-create');
    assert.match(
      (await page.locator('#api-token-error-name').textContent()) ?? '',
      /give what the token is for/,
    );
    await page.fill('#api-token-name', 'grafana');
    await page.selectOption('#api-token-days', '30');
    await page.click('#api-token-create');
    const token = await page.locator('#api-token-secret').inputValue();
    assert.match(token, /^pha_[A-Za-z0-9_-]{43}$/);
    assert.match(
      (await page.locator('#api-token-new').textContent()) ?? '',
      /shown only this once.*Authorization: Bearer \$TOKEN.*PHAROS_API_TOKEN.*\/metrics/s,
    );
    await page.screenshot({ path: `${ARTIFACTS}web-api-token-new.png`, fullPage: true });

    assert.equal((await script(token, '/api/fleet')).status, 200);
    assert.equal(
      (await script(token, '/api/enrolment-tokens', 'POST')).status,
      403,
      'a pem_user token is read-only',
    );

    await page.click('#api-token-done');
    assert.equal(await page.locator('#api-token-secret').count(), 0, 'the token is not shown again');
    const row = page.locator('#api-tokens tbody tr', { hasText: 'grafana' });
    assert.equal(await row.getAttribute('data-state'), 'active');
    await page.reload();
    await page.locator('#api-tokens tbody tr', { hasText: 'grafana' }).waitFor();
    assert.ok(!(await page.content()).includes(token), 'the page never shows the token after it was made');
    assert.match((await row.textContent()) ?? '', /from 127\.0\.4\.95/, 'the last use and its address');
    await row.locator('button.revoke').click();
    await page.locator('#api-tokens tbody tr[data-state="revoked"]', { hasText: 'grafana' }).waitFor();
    const refused = await script(token, '/api/fleet');
    assert.equal(refused.status, 401);
    assert.equal((refused.body as { code: string }).code, 'PHAROS_AUTH_TOKEN_REVOKED');
    await page.screenshot({ path: `${ARTIFACTS}web-api-tokens.png`, fullPage: true });
  });

  it("shows an administrator every role's tokens", async () => {
    await page.click('#logout');
    await logIn('alice');
    assert.equal(await page.locator('#api-tokens tbody tr', { hasText: 'grafana' }).count(), 0);
    await page.check('#api-tokens-all');
    await page.locator('#api-tokens tbody tr', { hasText: 'grafana' }).waitFor();
    assert.match(
      (await page.locator('#api-tokens tbody tr', { hasText: 'grafana' }).textContent()) ?? '',
      /bob/,
    );
    // the session check before each login answers 401: the browser logs it; nothing else may fail
    assert.deepEqual(
      problems.filter((p) => !/status of 401/.test(p)),
      [],
      'no console errors (CSP violations) or page errors',
    );
  });
});
