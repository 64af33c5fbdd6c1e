/**
 * etcd health as its members report it (etcd documentation, "Monitoring
 * etcd": `GET /health` answers `{"health":"true"}` on a member that is part
 * of a quorum with a leader, `"false"` with a `reason` otherwise).
 */
import { messageOf } from '@pharos/core/errors';
import type { EtcdMemberHealth } from '../api/shapes/cluster.js';
import { type GetJsonOptions, getJson } from './http-json.js';

export type { EtcdMemberHealth };

/** GET /health of every endpoint at once; never rejects. */
export async function readEtcdHealth(
  endpoints: readonly string[],
  options: GetJsonOptions,
): Promise<EtcdMemberHealth[]> {
  return Promise.all(
    endpoints.map(async (endpoint) => {
      try {
        const r = await getJson(`${endpoint.replace(/\/$/, '')}/health`, options);
        const body = (r.body ?? {}) as { health?: unknown; reason?: unknown };
        const healthy = r.status === 200 && (body.health === 'true' || body.health === true);
        if (healthy) return { endpoint, healthy };
        const reason = typeof body.reason === 'string' && body.reason ? body.reason : `HTTP ${r.status}`;
        return { endpoint, healthy, error: reason };
      } catch (err) {
        return { endpoint, healthy: false, error: messageOf(err) };
      }
    }),
  );
}
