import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { webhookHeaders } from './deliver.js';
import type { ClaimedNotification, WebhookTarget } from './outbox.js';
import { safeOrigin, sendWebhook } from './webhook.js';

describe('sendWebhook (local HTTP server)', () => {
  let server: Server;
  let base: string;
  let last: { method?: string; headers?: Record<string, unknown>; body?: string } = {};
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        last = { method: req.method, headers: req.headers, body };
        const path = (req.url ?? '').split('?')[0];
        if (path === '/fail') return res.writeHead(503).end('busy\nnow');
        if (path === '/redirect') return res.writeHead(302, { Location: '/ok' }).end();
        if (path === '/hang') return;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    });

  it('sends method, headers and body; 2xx is delivered', async () => {
    const o = await req('/ok');
    assert.equal(o.ok, true);
    assert.equal(o.statusCode, 204);
    assert.equal(last.method, 'PUT');
    assert.equal(last.headers!['x-a'], 'b');
    assert.equal(last.body, '{"a":1}');
  });

  it('reports an error status with the start of the body, a redirect as not followed; never the query', async () => {
    const f = await req('/fail');
    assert.equal(f.ok, false);
    assert.equal(f.statusCode, 503);
    assert.equal(f.error, `HTTP 503 from ${base}: busy now`);
    const r = await req('/redirect');
    assert.match(r.error!, /HTTP 302 .*redirects are not followed/);
    for (const o of [f, r]) assert.ok(!o.error!.includes('s3cret'));
  });

  it('times out a receiver that does not answer, and names a refused connection', async () => {
    const t = await req('/hang', 300);
    assert.equal(t.ok, false);
    assert.match(t.error!, /no answer from http:\/\/127\.0\.0\.1:\d+ within 300 ms/);
    assert.ok(t.durationMs >= 290 && t.durationMs < 2000);
    const c = await sendWebhook({
      url: 'http://127.0.0.1:1/x?token=s3cret',
      method: 'POST',
      headers: {},
      body: '{}',
      timeoutMs: 1000,
    });
    assert.match(c.error!, /cannot reach http:\/\/127\.0\.0\.1:1: ECONNREFUSED/);
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
});
