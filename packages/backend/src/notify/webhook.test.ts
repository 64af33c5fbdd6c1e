import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { webhookHeaders } from './deliver.js';
import type { ClaimedNotification, WebhookTarget } from './outbox.js';
import { WebhookTargetPolicy } from './target-policy.js';
import { safeOrigin, sendWebhook } from './webhook.js';

/** The receiver's address (test addresses 127.0.20.X), admitted by webhook_allow in these tests. */
const RECEIVER = '127.0.20.1';

describe('sendWebhook (local HTTP server)', () => {
  let server: Server;
  let base: string;
  let last: { method?: string; headers?: Record<string, unknown>; body?: string } = {};
  let received = 0;
  let port = 0;
  let allowed: WebhookTargetPolicy;
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        last = { method: req.method, headers: req.headers, body };
        received++;
        const path = (req.url ?? '').split('?')[0];
        if (path === '/fail') return res.writeHead(503).end('busy\nnow');
        if (path === '/redirect') return res.writeHead(302, { Location: '/ok' }).end();
        if (path === '/hang') return;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, RECEIVER, r));
    port = (server.address() as AddressInfo).port;
    base = `http://${RECEIVER}:${port}`;
    allowed = new WebhookTargetPolicy({ allow: [`${RECEIVER}:${port}`] });
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const req = (path: string, timeoutMs = 2000) =>
    sendWebhook({
      url: `${base}${path}?token=s3cret`,
      method: 'PUT',
      headers: { 'X-A': 'b' },
      body: '{"a":1}',
      timeoutMs,
      policy: allowed,
    });

  it('sends method, headers and body; 2xx is delivered', async () => {
    const o = await req('/ok');
    assert.equal(o.ok, true);
    assert.equal(o.statusCode, 204);
    assert.equal(last.method, 'PUT');
    assert.equal(last.headers!['x-a'], 'b');
    assert.equal(last.body, '{"a":1}');
  });

  it('reports an error status by its status line only (never the body), a redirect as not followed; never the query', async () => {
    const f = await req('/fail');
    assert.equal(f.ok, false);
    assert.equal(f.statusCode, 503);
    assert.equal(f.error, `HTTP 503 Service Unavailable from ${base}`);
    const r = await req('/redirect');
    assert.match(r.error!, /HTTP 302 .*redirects are not followed/);
    for (const o of [f, r]) assert.ok(!o.error!.includes('s3cret'));
  });

  it('times out a receiver that does not answer, and names a refused connection', async () => {
    const t = await req('/hang', 300);
    assert.equal(t.ok, false);
    assert.match(t.error!, /no answer from http:\/\/127\.0\.20\.1:\d+ within 300 ms/);
    assert.ok(t.durationMs >= 290 && t.durationMs < 2000);
    const c = await sendWebhook({
      url: `http://${RECEIVER}:1/x?token=s3cret`,
      method: 'POST',
      headers: {},
      body: '{}',
      timeoutMs: 1000,
      policy: new WebhookTargetPolicy({ allow: [RECEIVER] }),
    });
    assert.match(c.error!, /cannot reach http:\/\/127\.0\.20\.1:1: ECONNREFUSED/);
    assert.ok(!c.error!.includes('s3cret'));
  });

  it('refuses a URL that is not http(s)', async () => {
    const o = await sendWebhook({
      url: 'file:///etc/passwd',
      method: 'POST',
      headers: {},
      body: '{}',
      timeoutMs: 100,
    });
    assert.equal(o.ok, false);
    assert.match(o.error!, /not a valid http\(s\) URL/);
  });

  it('strips credentials, path and query for logs', () => {
    assert.equal(
      safeOrigin('https://user:pw@hooks.example.com:8443/a/b?token=x'),
      'https://hooks.example.com:8443',
    );
  });

  it('puts the duplicate-suppression headers last, so a webhook cannot override them', () => {
    const n = { id: 9, idempotencyKey: 'k-1', attempt: 2, event: 'raised' } as ClaimedNotification;
    const t = {
      headers: { 'Idempotency-Key': 'mine', Authorization: 'Bearer x' },
    } as unknown as WebhookTarget;
    const h = webhookHeaders(n, t, 'pharos-agent/1');
    assert.equal(h['Idempotency-Key'], 'k-1');
    assert.equal(h.Authorization, 'Bearer x');
    assert.equal(h['X-Pharos-Attempt'], '2');
  });

  it('refuses by default every spelling of a loopback, link-local or unspecified target; nothing is sent', async () => {
    const before = received;
    const targets = [
      base, // 127.0.20.1 itself, without webhook_allow
      `http://2130706433:${port}/`, // decimal 127.0.0.1
      `http://0x7f.0.0.1:${port}/`, // hex
      `http://0177.0.0.1:${port}/`, // octal
      `http://127.1:${port}/`, // short form
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.20.1]:${port}/`, // IPv4-mapped
      `http://[::ffff:7f00:1401]:${port}/`, // IPv4-mapped, hex
      `http://[64:ff9b::7f00:1401]:${port}/`, // NAT64 of 127.0.20.1
      'http://169.254.169.254/latest/meta-data/',
      `http://0.0.0.0:${port}/`,
      `http://0:${port}/`,
      `http://[::]:${port}/`,
      `http://localhost:${port}/`, // a name: resolved, then judged
    ];
    for (const url of targets) {
      const o = await sendWebhook({ url, method: 'POST', headers: {}, body: '{}', timeoutMs: 2000 });
      assert.equal(o.ok, false, url);
      assert.equal(o.permanent, true, `${url}: ${o.error}`);
      assert.match(o.error!, /refused to send to .*(loopback|link-local|unspecified)/, `${url}: ${o.error}`);
      assert.match(o.error!, /webhook_allow/);
    }
    assert.equal(received, before, 'a refused target received a request');
  });

  it('a name is judged by what it resolves to, and admitted by webhook_allow on that address', async () => {
    const o = await sendWebhook({
      url: `http://localhost:${port}/ok`,
      method: 'POST',
      headers: {},
      body: '{}',
      timeoutMs: 2000,
      policy: new WebhookTargetPolicy({ allow: ['127.0.0.1', '::1'] }),
    });
    // localhost resolves to 127.0.0.1/::1, where nothing listens on this port: refused by the receiver, not the policy
    assert.equal(o.permanent, undefined, o.error);
    assert.match(o.error!, /ECONNREFUSED/);
  });

  it('refuses credentials in the URL and headers that redirect or reframe the request; nothing is sent', async () => {
    const before = received;
    const send = (url: string, headers: Record<string, string> = {}) =>
      sendWebhook({ url, method: 'POST', headers, body: '{}', timeoutMs: 2000, policy: allowed });
    const creds = await send(`http://user:s3cretpw@${RECEIVER}:${port}/ok`);
    assert.equal(creds.permanent, true);
    assert.match(creds.error!, /carries credentials/);
    assert.ok(!creds.error!.includes('s3cretpw'));
    for (const h of ['Host', 'host', 'Content-Length', 'Transfer-Encoding', 'Connection']) {
      const o = await send(`${base}/ok`, { [h]: 'evil' });
      assert.equal(o.permanent, true, h);
      assert.match(o.error!, new RegExp(`header\\(s\\) ${h} may not be set`));
    }
    assert.equal(received, before);
  });
});
