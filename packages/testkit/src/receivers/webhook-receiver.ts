/**
 * Test support: a real webhook receiver (node:http) on a given address, port
 * chosen by the system. Records every request, and tells duplicates apart by
 * the Idempotency-Key header, as a receiver would. `respond` decides each
 * answer: a status code, or 'hang' (never answer, for timeouts).
 */

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../wait/wait-for.js';

/** One request as received. */
export interface ReceivedWebhook {
  at: number;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  key: string;
  body: Record<string, unknown>;
}

/** A running receiver. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Requests whose key was seen before (duplicates a receiver would drop). */
  duplicates(): ReceivedWebhook[];
  /** Distinct requests by key (first of each). */
  distinct(): ReceivedWebhook[];
  /** Sets how to answer from now on. */
  respond(fn: (req: ReceivedWebhook) => number | 'hang'): void;
  /** Resolves when `pred` holds for the received list (polls every 50 ms), rejects after `timeoutMs`. */
  waitFor(pred: (r: ReceivedWebhook[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts a receiver on `address` (e.g. 127.0.12.60). */
export async function startWebhookReceiver(address: string): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let answer: (req: ReceivedWebhook) => number | 'hang' = () => 200;
  const hung = new Set<import('node:http').ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        body = { unparsable: Buffer.concat(chunks).toString('utf8') };
      }
      const r: ReceivedWebhook = {
        at: Date.now(),
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        key: String(req.headers['idempotency-key'] ?? ''),
        body,
      };
      const a = answer(r);
      if (a === 'hang') {
        hung.add(res);
        return;
      }
      received.push(r);
      res.writeHead(a, { 'Content-Type': 'text/plain' }).end(a < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${address}:${port}/hook`,
    received,
    duplicates() {
      const seen = new Set<string>();
      return received.filter((r) => {
        const dup = seen.has(r.key);
        seen.add(r.key);
        return dup;
      });
    },
    distinct() {
      const seen = new Set<string>();
      return received.filter((r) => {
        const first = !seen.has(r.key);
        seen.add(r.key);
        return first;
      });
    },
    respond(fn) {
      answer = fn;
    },
    async waitFor(pred, timeoutMs = 20_000, what = 'webhooks') {
      await waitFor(what, () => pred(received), {
        deadlineMs: timeoutMs,
        intervalMs: 50,
        state: () =>
          `received ${received.length}: ${JSON.stringify(received.map((r) => [r.key, r.body.state ?? r.body.event]))}`,
      });
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
