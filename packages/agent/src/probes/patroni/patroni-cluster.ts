/**
 * `patroni_cluster` probe: the HA cluster as the local Patroni node sees it
 * (docs/reference/metrics.md family 18; docs/reference/pem-facts.md §4 "Patroni cluster status (cluster
 * name, timeline, leader, DCS healthy, paused)").
 *
 * Reads `GET /cluster`, `GET /patroni` and `GET /config` of the Patroni REST
 * API of the monitored server's own node (a monitored cluster's member: its
 * `api_url` from the cluster's GET /cluster; a PEM backend's node:
 * `http://<binding host>:8008`), each with the probe's deadline; see
 * parse.ts for the fields. Enabled by default on servers registered as PEM
 * backends (`pem.server.is_pem_backend`) and on members of monitored
 * Patroni clusters (`pem.server.cluster_id`); elsewhere enable it per
 * server. One row.
 */
import { bool, bytes, count, gauge, seconds, text } from '../columns.js';
import type { Probe } from '../types.js';
import { getPatroni } from './http-json.js';
import { clusterRow, ttlOf } from './parse.js';

/** The `patroni_cluster` probe. */
export const patroniClusterProbe: Probe = {
  name: 'patroni_cluster',
  level: 'server',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 3000,
  defaultOn: 'pem_backends',
  description: 'Patroni cluster: scope, leader, timeline, members running, paused, DCS healthy',
  http: async (ctx) => {
    const opts = { timeoutMs: ctx.timeoutMs, localAddress: ctx.localAddress, ca: ctx.ca };
    const [cluster, node, config] = await Promise.all([
      getPatroni(ctx.patroniUrl, '/cluster', opts),
      getPatroni(ctx.patroniUrl, '/patroni', opts),
      getPatroni(ctx.patroniUrl, '/config', opts).catch(() => null),
    ]);
    return [clusterRow(cluster, node, ttlOf(config), Date.now() / 1000)];
  },
  columns: [
    text('scope'),
    text('leader'),
    bool('has_leader'),
    gauge('timeline', 'integer', 'timeline'),
    count('members'),
    count('members_running'),
    count('replicas_unknown_lag'),
    bytes('max_lag_bytes'),
    bool('paused'),
    seconds('dcs_last_seen_age_s'),
    bool('dcs_healthy'),
  ],
};
