/**
 * Small HTTP(S) helpers for the lab's health checks against etcd's and
 * Patroni's REST APIs and the web instances (node:http/https; responses are
 * JSON). Every request has a timeout.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A JSON response: status code, parsed body (undefined when not JSON) and headers. */
export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Options of {@link requestJson}. `ca` = PEM of the CA to trust for https
 * URLs; `cert`/`key` = a client certificate (PEM) for servers that ask for
 * one (etcd with client-cert-auth); `auth` = HTTP basic credentials
 * (Patroni's REST API for unsafe methods).
 */
export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  auth?: { username: string; password: string } | undefined;
  localAddress?: string;
}

/** Sends one request and parses the JSON answer. Rejects on network errors and timeouts (message names the URL). */
export function requestJson<T = unknown>(
  url: string,
  options: RequestOptions = {},
): Promise<JsonResponse<T>> {
  const u = new URL(url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.auth) {
    const basic = Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64');
    headers.authorization = `Basic ${basic}`;
  }
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      {
        method: options.method ?? 'GET',
        headers,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        agent: false,
        localAddress: options.localAddress,
        timeout: options.timeoutMs ?? 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = text;
          }
          resolve({ status: res.statusCode ?? 0, body: body as T, headers: res.headers });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(
        new Error(`${options.method ?? 'GET'} ${url}: no answer within ${options.timeoutMs ?? 5000} ms`),
      ),
    );
    req.on('error', (err) => reject(new Error(`${options.method ?? 'GET'} ${url}: ${err.message}`)));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
