/**
 * The fleet benchmark's HTTPS client of the web API (docs/web-api.md):
 * log in (POST /api/login: the session cookie and the CSRF token that
 * mutating requests carry in `x-csrf-token`), add a server (POST
 * /api/servers: tested from its agent first, 201 with the server), and time
 * GET /api/fleet (the overview), also polled through a measurement window. One kept-alive connection per client,
 * bound to the harness's address, verifying the web instance with the CA.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';

/** A logged-in API client. */
export interface WebClient {
  /** POSTs `body` as JSON to `path`; resolves status and parsed answer. */
  post(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  /** GETs `path`; resolves status, answer size (bytes) and elapsed ms (request sent to last byte). */
  timedGet(path: string): Promise<{ status: number; bytes: number; ms: number }>;
  close(): void;
}

function send(
  url: URL,
  agent: Agent,
  localAddress: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
}> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, localAddress, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(parts).toString('utf8'),
          headers: res.headers,
          ms: performance.now() - started,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Logs in at `baseUrl` as `user` (a 503 is retried 2 s later, at most 4 times).
 * @throws naming the answer when the login is not answered 200 with a session cookie.
 */
export async function login(
  baseUrl: string,
  caFile: string,
  localAddress: string,
  user: string,
  password: string,
): Promise<WebClient> {
  const agent = new Agent({ keepAlive: true, maxSockets: 4, ca: readFileSync(caFile) });
  const url = (p: string) => new URL(p, baseUrl);
  const attempt = () =>
    send(
      url('/api/login'),
      agent,
      localAddress,
      'POST',
      { 'content-type': 'application/json' },
      JSON.stringify({ user, password }),
    );
  let r = await attempt();
  // 503 PHAROS_BACKEND_FAILING_OVER (the backend did not answer in time on the loaded machine): asked again after 2 s
  for (let tries = 1; r.status === 503 && tries < 5; tries++) {
    await new Promise((done) => setTimeout(done, 2000));
    r = await attempt();
  }
  const setCookie = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
  const cookie = setCookie.map((c) => c.split(';')[0]!).join('; ');
  if (r.status !== 200 || cookie === '') {
    agent.destroy();
    throw new Error(`POST /api/login as ${user} answered ${r.status}: ${r.text.slice(0, 300)}`);
  }
  const csrf = (JSON.parse(r.text) as { csrfToken: string }).csrfToken;
  return {
    async post(path, body) {
      const a = await send(
        url(path),
        agent,
        localAddress,
        'POST',
        { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json', accept: 'application/json' },
        JSON.stringify(body),
      );
      return { status: a.status, body: a.text === '' ? undefined : JSON.parse(a.text) };
    },
    async timedGet(path) {
      const a = await send(url(path), agent, localAddress, 'GET', { cookie, accept: 'application/json' });
      return { status: a.status, bytes: Buffer.byteLength(a.text), ms: a.ms };
    },
    close: () => agent.destroy(),
  };
}

/** What {@link pollOverview} measured. */
export interface OverviewPolls {
  /** Elapsed ms of each GET /api/fleet answered 200. */
  ms: number[];
  /** Requests not answered 200, a failure at the network level included. */
  failed: number;
  /** Size of the last 200 answer, bytes. */
  answerBytes: number;
  /** The failed requests by HTTP status (0: no answer, a network-level failure). */
  failedByStatus: Record<string, number>;
}

/**
 * GETs /api/fleet (the overview) as `user` every `everyMs` (or back to back when slower)
 * until `windowMs` have passed since the call; a request that fails counts as failed and
 * does not end the polling.
 */
export async function pollOverview(
  user: WebClient,
  windowMs: number,
  everyMs: number,
): Promise<OverviewPolls> {
  const out: OverviewPolls = { ms: [], failed: 0, answerBytes: 0, failedByStatus: {} };
  const w0 = performance.now();
  while (performance.now() - w0 < windowMs) {
    const started = performance.now();
    const r = await user.timedGet('/api/fleet').catch(() => ({ status: 0, ms: 0, bytes: 0 }));
    if (r.status === 200) {
      out.ms.push(r.ms);
      out.answerBytes = r.bytes;
    } else {
      out.failed++;
      out.failedByStatus[r.status] = (out.failedByStatus[r.status] ?? 0) + 1;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - (performance.now() - started))));
  }
  return out;
}
