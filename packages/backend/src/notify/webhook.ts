/**
 * Sends one webhook request (node:http / node:https): POST or PUT of a JSON
 * body with the given headers, bounded by a timeout that covers connect,
 * TLS, the request and the whole response. Redirects are not followed. Never
 * throws for a delivery failure: the outcome says what happened, in words
 * that name the host but never the path or query (which may hold a token).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What to send. */
export interface WebhookRequest {
  url: string;
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Verify the server's TLS certificate (default true). */
  tlsVerify?: boolean;
  /** Extra CA certificates (PEM) for https. */
  ca?: string;
}

/** Outcome of one attempt. `statusCode` when a response arrived. */
export interface WebhookOutcome {
  ok: boolean;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

/** `scheme://host[:port]` of a URL, without credentials, path or query: safe to log. */
export function safeOrigin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Sends `req`; resolves with the outcome (2xx = ok). */
export function sendWebhook(req: WebhookRequest): Promise<WebhookOutcome> {
  const started = Date.now();
  const where = safeOrigin(req.url);
  let url: URL;
  try {
    url = new URL(req.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return Promise.resolve({ ok: false, error: 'webhook URL is not a valid http(s) URL', durationMs: 0 });
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (o: Omit<WebhookOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...o, durationMs: Date.now() - started });
    };
    const body = Buffer.from(req.body, 'utf8');
    const headers = { ...req.headers, 'Content-Length': String(body.length) };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const r = send(
      url,
      {
        method: req.method,
        headers,
        ...(url.protocol === 'https:' ? { rejectUnauthorized: req.tlsVerify !== false, ca: req.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 1024) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) return finish({ ok: true, statusCode: code });
          const text = Buffer.concat(chunks).toString('utf8').slice(0, 200).replace(/\s+/g, ' ').trim();
          const what = code >= 300 && code < 400 ? ' (redirects are not followed)' : '';
          finish({
            ok: false,
            statusCode: code,
            error: `HTTP ${code} from ${where}${what}${text ? `: ${text}` : ''}`,
          });
        });
        res.on('error', (err) =>
          finish({ ok: false, statusCode: res.statusCode, error: `${where}: ${err.message}` }),
        );
      },
    );
    const timer = setTimeout(() => {
      r.destroy();
      finish({ ok: false, error: `no answer from ${where} within ${req.timeoutMs} ms` });
    }, req.timeoutMs);
    r.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ? `${err.code} ` : '';
      finish({ ok: false, error: `cannot reach ${where}: ${code}${err.message.replace(req.url, where)}` });
    });
    r.end(body);
  });
}
