/**
 * `patroni_node` probe: this server's Patroni member (docs/reference/metrics.md family 18;
 * docs/reference/pem-facts.md §4 "Patroni node status (member, role, state, timeline,
 * lag)").
 *
 * Reads `GET /patroni` (the node) and `GET /cluster` (its lag as the leader
 * sees it) of the server's own Patroni REST API; see parse.ts for the
 * fields. Enabled by default on PEM backend servers and members of
 * monitored Patroni clusters only. One row.
 */
import { bool, bytes, counter, gauge, seconds, text } from '../columns.js';
import type { Probe } from '../types.js';
import { getPatroni } from './http-json.js';
import { nodeRow } from './parse.js';

/** The `patroni_node` probe. */
export const patroniNodeProbe: Probe = {
  name: 'patroni_node',
  level: 'server',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 3000,
  defaultOn: 'pem_backends',
  description: 'Patroni member of this server: role, state, timeline, WAL positions, lag, pending restart',
  http: async (ctx) => {
    const opts = { timeoutMs: ctx.timeoutMs, localAddress: ctx.localAddress, ca: ctx.ca };
    const [node, cluster] = await Promise.all([
      getPatroni(ctx.patroniUrl, '/patroni', opts),
      getPatroni(ctx.patroniUrl, '/cluster', opts).catch(() => null),
    ]);
    return [nodeRow(node, cluster, Date.now() / 1000)];
  },
  columns: [
    text('member'),
    text('role'),
    text('state'),
    gauge('timeline', 'integer', 'timeline'),
    gauge('server_version', 'integer', 'version'),
    text('replication_state'),
    counter('wal_position_bytes', 'bytes'),
    counter('received_position_bytes', 'bytes'),
    counter('replayed_position_bytes', 'bytes'),
    bool('replay_paused'),
    bytes('lag_bytes'),
    bool('pending_restart'),
    bool('paused'),
    bool('cluster_unlocked'),
    seconds('dcs_last_seen_age_s'),
    text('patroni_version'),
  ],
};
