/**
 * The agent's opt-in health endpoint (agent.yml `metrics_listen`, default
 * off): plain HTTP on a loopback address only (the settings refuse any
 * other), `GET /metrics` answers the text exposition format of
 * metrics.ts; anything else is 404, a method other than GET/HEAD 405. A
 * Prometheus on the same host scrapes it (or a node exporter's textfile
 * collector is fed from it). Loopback-only is the access control: the
 * figures are the agent's own (spool, shipping, probe failures), no
 * monitored data and no secret.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** A listening health endpoint. */
export interface MetricsServer {
  /** `http://<address>:<port>/metrics`. */
  url: string;
  close(): Promise<void>;
}

/** Parses `address:port` (IPv6 in brackets) of `metrics_listen`. @throws Error describing the problem. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(text);
  if (!m) throw new Error("is not address:port (e.g. 127.0.0.1:9187, '[::1]:9187')");
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new Error(`port ${port} is not from 1 to 65535`);
  return { host: (m[1] ?? m[2])!, port };
}

/** Starts the endpoint on `listen` (address:port); resolves once it listens. Rejects on a listen error. */
export async function startMetricsServer(listen: string, registry: Registry): Promise<MetricsServer> {
  const { host, port } = parseListen(listen);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: GET /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
        .end('GET only\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        res
          .writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`metrics failed: ${String(err)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
