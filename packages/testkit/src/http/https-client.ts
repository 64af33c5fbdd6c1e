/**
 * Test support: a small HTTPS client for the API that trusts the test CA,
 * keeps the response's cookies and headers, and can bind its source address
 * (the login rate limit is per client address).
 */
import { request as httpsRequest } from 'node:https';

/** One answer: status, headers, parsed JSON body (or the raw text), and the session cookie it set. */
export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
  setCookie: string[];
}

/** Options of {@link apiRequest}. */
export interface ApiRequestOptions {
  method?: string;
  /** JSON body (sent with content-type application/json). */
  json?: unknown;
  /** Raw body with its content type. */
  raw?: { body: string; contentType: string };
  /** Cookie header value. */
  cookie?: string;
  headers?: Record<string, string>;
  /** CA certificate (PEM) to trust. */
  ca: Buffer;
  localAddress?: string;
}

/** Sends one HTTPS request to `url`; resolves with the answer (any status). Rejects on a transport error. */
export function apiRequest(url: string, options: ApiRequestOptions): Promise<ApiResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...(options.headers ?? {}) };
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  } else if (options.raw) {
    body = options.raw.body;
    headers['content-type'] = options.raw.contentType;
  }
  if (options.cookie) headers.cookie = options.cookie;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        ca: options.ca,
        localAddress: options.localAddress,
        agent: false,
        timeout: 30_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          const sc = res.headers['set-cookie'];
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: parsed,
            text,
            setCookie: Array.isArray(sc) ? sc : [],
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The `name=value` part of the Set-Cookie whose name is `name`, or undefined. */
export function cookieFrom(setCookie: string[], name: string): string | undefined {
  const line = setCookie.find((c) => c.startsWith(`${name}=`));
  return line?.split(';')[0];
}
