/**
 * The web instances' checks, concurrently: the certificate presented on
 * the HTTPS port (read without trusting it, then judged against the
 * deployment's CA and the host's address: `web.certificate`), and
 * `GET /api/health` (packages/web/src/api/health.ts). The health request
 * does not verify the certificate, so that a bad certificate is reported
 * once, by `web.certificate`, and `web.health` still says whether the
 * instance runs; it sends no credentials.
 */
import { request } from 'node:https';
import { hostPort } from '../render/url.js';
import type { TopologyHost } from '../topology/types.js';
import { evaluateCertificate } from './certificate.js';
import type { CheckContext } from './context.js';
import { type CheckResult, reasonOf, result } from './result.js';
import { tlsCertificate } from './tls-probe.js';
import {
  evaluateWebInstance,
  evaluateWebVersions,
  type WebHealth,
  type WebObservation,
} from './web-evaluate.js';

/**
 * GET `url` over HTTPS without verifying the certificate; resolves with the
 * status and the parsed JSON body (undefined when not JSON). Rejects on
 * network errors and after `timeoutMs`.
 */
export function getJsonUnverified(
  url: string,
  timeoutMs: number,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { rejectUnauthorized: false, timeout: timeoutMs, headers: { accept: 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => reject(new Error(`GET ${url}: ${err.message}`)));
    req.end();
  });
}

async function observe(ctx: CheckContext, host: TopologyHost): Promise<WebObservation> {
  const url = `https://${hostPort(host.address, ctx.topo.pem.web_port)}/`;
  try {
    const r = await getJsonUnverified(`${url}api/health`, ctx.timeoutMs);
    const health = typeof r.body === 'object' && r.body !== null ? (r.body as WebHealth) : undefined;
    return { host, url, status: r.status, health };
  } catch (err) {
    return { host, url, error: reasonOf(err) };
  }
}

async function certificateLine(ctx: CheckContext, host: TopologyHost): Promise<CheckResult> {
  try {
    const cert = await tlsCertificate(host.address, ctx.topo.pem.web_port, ctx.timeoutMs);
    const v = evaluateCertificate(cert, {
      ca: ctx.ca,
      names: [host.address],
      warningDays: ctx.expiryWarningDays,
      now: ctx.now(),
    });
    return result('web', 'web.certificate', host.name, v.status, v.measured, v.action);
  } catch (err) {
    return result(
      'web',
      'web.certificate',
      host.name,
      'failed',
      `cannot read: ${reasonOf(err)}`,
      `start the web instance on ${host.name}`,
    );
  }
}

/** `web.health`, `web.backend`, `web.certificate` per instance and `web.version` for all. */
export async function checkWeb(ctx: CheckContext): Promise<CheckResult[]> {
  const per = await Promise.all(
    ctx.topo.webapps.map(async (h) => {
      const [o, cert] = await Promise.all([observe(ctx, h), certificateLine(ctx, h)]);
      return { o, lines: [...evaluateWebInstance(ctx.topo, o), cert] };
    }),
  );
  if (per.length === 0) return [];
  return [...per.flatMap((p) => p.lines), evaluateWebVersions(per.map((p) => p.o))];
}
