/**
 * A small GET-JSON client for the HA stack's REST APIs (Patroni, etcd):
 * plain HTTP or HTTPS (verified against a given CA), a hard deadline, the
 * host's source address bound (DESIGN.md §5: Pharos's own clients bind their
 * host's address). Bodies are capped; nothing is sent but the path.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Largest body read, bytes. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Options of {@link getJson}. */
export interface GetJsonOptions {
  timeoutMs: number;
  localAddress?: string | undefined;
  /** CA certificate(s) (PEM) for https URLs. */
  ca?: Buffer | undefined;
  /** Client certificate and key (PEM) for https URLs that ask for one (etcd's client-cert-auth). */
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
}

/**
 * GETs `url` and parses the body as JSON. Resolves `{status, body}` for any
 * HTTP status (Patroni answers 503 on some endpoints while still sending
 * JSON); rejects on a transport error, the deadline, a body over
 * {@link MAX_BODY_BYTES} or one that is not JSON.
 */
export function getJson(url: string, options: GetJsonOptions): Promise<{ status: number; body: unknown }> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: 'GET',
        headers: { accept: 'application/json' },
        localAddress: options.localAddress,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        agent: false,
        timeout: options.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES)
            req.destroy(new Error(`${url}: answer larger than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
            });
          } catch {
            reject(new Error(`${url}: answer is not JSON (HTTP ${res.statusCode})`));
          }
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`${url}: no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end();
  });
}
