/**
 * GET a JSON document over HTTP or HTTPS with a deadline and an optional
 * local address (the agent's host address), for Patroni's REST API. An
 * https URL is verified against `ca` (the PEM text of the CA file the DBA
 * named for the cluster's REST API, or the deployment's CA of a secured
 * deployment: `restapi.certfile`) or, without one, the system's store;
 * the certificate must name the URL's host. GETs need no credentials.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** How to ask: deadline, local address, CA (PEM) for https. */
export interface HttpJsonOptions {
  timeoutMs: number;
  localAddress?: string | undefined;
  /** PEM text of the CA(s) that verify an https URL (default: the system's store). */
  ca?: string | Buffer | undefined;
}

/**
 * GETs `url` and parses the body as JSON. Resolves with the status and the
 * body for any HTTP status; rejects on a network error, a body that is not
 * JSON, or when `timeoutMs` passes (the request is destroyed).
 */
export function getJson(url: string, opts: HttpJsonOptions): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const common = {
      method: 'GET',
      localAddress: opts.localAddress,
      headers: { accept: 'application/json' },
    };
    const req = url.startsWith('https:')
      ? httpsRequest(url, { ...common, agent: false, ...(opts.ca ? { ca: opts.ca } : {}) })
      : httpRequest(url, common);
    const timer = setTimeout(() => {
      req.destroy(new Error(`GET ${url} did not answer within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          reject(new Error(`GET ${url} answered HTTP ${res.statusCode} with a body that is not JSON`));
        }
      });
    });
    req.end();
  });
}

/** GETs `base + path` and returns the body; throws unless the status is 200. */
export async function getPatroni(base: string, path: string, opts: HttpJsonOptions): Promise<unknown> {
  const url = `${base.replace(/\/$/, '')}${path}`;
  const r = await getJson(url, opts);
  if (r.status !== 200) throw new Error(`GET ${url} answered HTTP ${r.status}`);
  return r.body;
}
