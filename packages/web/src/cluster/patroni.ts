/**
 * Patroni's view of the backend cluster, from its REST API (Patroni
 * documentation, "REST API": `GET /cluster` answers the cluster's scope,
 * `pause` and `members`, each with name, role (leader, replica, sync_standby,
 * standby_leader), state (running, streaming, stopped, starting...), host,
 * port, api_url, timeline and, for replicas, lag in bytes or "unknown").
 *
 * Every member's API is asked at once; the members list comes from the
 * answer of the leader's API when it answered, else from any answer (each
 * member reads the same DCS); each member's `apiReachable` says whether its
 * own API answered.
 */
import { messageOf } from '@pharos/core/errors';
import type { PatroniMember, PatroniStatus } from '../api/shapes/cluster.js';
import { type GetJsonOptions, getJson } from './http-json.js';

export type { PatroniMember, PatroniStatus };

interface RawMember {
  name?: unknown;
  role?: unknown;
  state?: unknown;
  host?: unknown;
  port?: unknown;
  timeline?: unknown;
  lag?: unknown;
  api_url?: unknown;
}

interface RawCluster {
  scope?: unknown;
  pause?: unknown;
  members?: RawMember[];
}

const str = (x: unknown) => (typeof x === 'string' ? x : null);
const int = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The base URL (`http://host:port`) of a member's `api_url` (`http://host:port/patroni`). */
function baseOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** Turns one GET /cluster answer into members; throws Error when it has no members list. */
export function parseCluster(body: unknown, reachable: Set<string>): Omit<PatroniStatus, 'apis'> {
  const c = (body ?? {}) as RawCluster;
  if (!Array.isArray(c.members)) throw new Error('GET /cluster answer has no members');
  return {
    scope: str(c.scope),
    paused: c.pause === true,
    members: c.members.map((m) => {
      const apiUrl = str(m.api_url);
      return {
        name: str(m.name) ?? '?',
        role: str(m.role) ?? 'unknown',
        state: str(m.state) ?? 'unknown',
        host: str(m.host),
        port: int(m.port),
        timeline: int(m.timeline),
        lagBytes: int(m.lag),
        apiUrl,
        apiReachable: apiUrl ? reachable.has(baseOf(apiUrl)) : null,
      };
    }),
  };
}

/**
 * Asks GET /cluster of every URL in `apiUrls` (base URLs, e.g.
 * `http://10.0.0.4:8008`) at once. Resolves even when none answers (then with
 * no members and each API's error); never rejects.
 */
export async function readPatroni(
  apiUrls: readonly string[],
  options: GetJsonOptions,
): Promise<PatroniStatus> {
  const answers = await Promise.all(
    apiUrls.map(async (url) => {
      try {
        const r = await getJson(`${url.replace(/\/$/, '')}/cluster`, options);
        if (r.status !== 200) throw new Error(`GET /cluster answered HTTP ${r.status}`);
        return { url, body: r.body };
      } catch (err) {
        return { url, error: messageOf(err) };
      }
    }),
  );
  const reachable = new Set(answers.filter((a) => a.body !== undefined).map((a) => baseOf(a.url)));
  const apis = answers.map((a) =>
    a.error === undefined
      ? { url: a.url, reachable: true }
      : { url: a.url, reachable: false, error: a.error },
  );
  const parsed = answers
    .filter((a) => a.body !== undefined)
    .flatMap((a) => {
      try {
        return [parseCluster(a.body, reachable)];
      } catch {
        return [];
      }
    });
  const best = parsed.find((p) => p.members.some((m) => m.role === 'leader' && m.apiReachable)) ?? parsed[0];
  return best ? { ...best, apis } : { scope: null, paused: false, members: [], apis };
}
