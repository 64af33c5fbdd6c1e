/**
 * Following monitored Patroni clusters (issue 14, docs/monitoring-a-
 * server.md "Patroni clusters"): the clusters this agent follows are read
 * with its bindings (`pem.agent_clusters`, every short wait); every probe
 * interval each one's `GET /cluster` is read from the first REST endpoint
 * that answers (follow/read-cluster.ts) and handed to the backend
 * (`pem.agent_cluster_observed`), which records the leader, timeline and
 * members and reconciles the cluster's servers: new members are added,
 * roles and states follow, absent members are marked and then removed. So
 * a switchover shows in the fleet within one probe interval. When no
 * endpoint answers, the backend is told why (pharos check and the web UI
 * show it). One look per cluster at a time: a slow cluster only delays
 * itself.
 */
import { readFileSync } from 'node:fs';
import { messageOf } from '@pharos/core/errors';
import type { Logger } from '@pharos/core/log';
import { type ClusterReading, readCluster } from './read-cluster.js';

/** The calls, as sent. */
export const AGENT_CLUSTERS_SQL =
  'SELECT cluster_id, name, scope, rest_endpoints, rest_cafile FROM pem.agent_clusters($1)';
export const CLUSTER_OBSERVED_SQL = 'SELECT pem.agent_cluster_observed($1, $2, $3::jsonb, $4, $5) AS changes';

/** A cluster this agent follows (a row of pem.agent_clusters). */
export interface FollowedCluster {
  id: number;
  name: string;
  scope: string | null;
  restEndpoints: string[];
  restCafile: string | null;
}

/** What the follower needs of the control connection (an HaConnection). */
export interface FollowerConnection {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** Options of {@link ClusterFollower}. */
export interface ClusterFollowerOptions {
  agentId: number;
  conn: FollowerConnection;
  logger: Logger;
  /** Local address to ask the REST APIs from (the agent's source or host address). */
  localAddress?: string;
  /** Deadline of one GET, ms (default 3000). */
  timeoutMs?: number;
  /** Reads a cluster (default readCluster; tests may count calls). */
  read?: typeof readCluster;
}

/** What pem.agent_cluster_observed answered. */
interface Changes {
  added: string[];
  moved: string[];
  updated: string[];
  missing: string[];
  removed: string[];
  problems: string[];
  error?: string;
}

/** See the module note. */
export class ClusterFollower {
  private readonly opts: ClusterFollowerOptions;
  private clusters: FollowedCluster[] = [];
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly lastProblem = new Map<number, string>();
  private stopped = false;

  constructor(opts: ClusterFollowerOptions) {
    this.opts = opts;
  }

  /** The clusters followed now. */
  get followed(): readonly FollowedCluster[] {
    return this.clusters;
  }

  /** Reads the clusters this agent follows; keeps the current list when the read fails. Never throws. */
  async refresh(): Promise<void> {
    try {
      const r = await this.opts.conn.query<{
        cluster_id: number;
        name: string;
        scope: string | null;
        rest_endpoints: string[];
        rest_cafile: string | null;
      }>(AGENT_CLUSTERS_SQL, [this.opts.agentId]);
      const next = r.rows.map((c) => ({
        id: Number(c.cluster_id),
        name: c.name,
        scope: c.scope,
        restEndpoints: c.rest_endpoints,
        restCafile: c.rest_cafile,
      }));
      const was = new Set(this.clusters.map((c) => c.id));
      for (const c of next)
        if (!was.has(c.id))
          this.opts.logger.info(
            { cluster: c.name, endpoints: c.restEndpoints },
            'following monitored Patroni cluster',
          );
      this.clusters = next;
    } catch (err) {
      // an older backend without pem.agent_clusters, or the backend is failing over: keep what we have
      this.warnOnce(0, `cannot read the clusters to follow: ${messageOf(err)}`);
    }
  }

  /** One look at every followed cluster (each skipped while its previous look runs). Never rejects. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    await Promise.all(
      this.clusters.map((c) => {
        const running = this.inFlight.get(c.id);
        if (running) return running;
        const p = this.look(c).finally(() => this.inFlight.delete(c.id));
        this.inFlight.set(c.id, p);
        return p;
      }),
    );
  }

  /** Stops looking; resolves when the looks in flight ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.inFlight.values()]);
  }

  private warnOnce(key: number, message: string): void {
    if (this.lastProblem.get(key) === message) return;
    this.lastProblem.set(key, message);
    this.opts.logger.warn(message);
  }

  private async look(c: FollowedCluster): Promise<void> {
    let reading: ClusterReading | undefined;
    let error: string | undefined;
    try {
      const ca = c.restCafile ? readFileSync(c.restCafile, 'utf8') : undefined;
      reading = await (this.opts.read ?? readCluster)(c.restEndpoints, {
        timeoutMs: this.opts.timeoutMs ?? 3000,
        localAddress: this.opts.localAddress,
        ca,
      });
    } catch (err) {
      error = messageOf(err);
    }
    let changes: Changes;
    try {
      const r = await this.opts.conn.query<{ changes: Changes }>(CLUSTER_OBSERVED_SQL, [
        this.opts.agentId,
        c.id,
        reading ? JSON.stringify({ scope: reading.scope, members: reading.members }) : null,
        reading?.endpoint ?? null,
        error ?? null,
      ]);
      changes = r.rows[0]!.changes;
    } catch (err) {
      this.warnOnce(c.id, `cannot record what cluster ${c.name} looks like: ${messageOf(err)}`);
      return;
    }
    const log = this.opts.logger.child({ cluster: c.name });
    if (changes.error) {
      this.warnOnce(c.id, `cluster ${c.name}: ${changes.error}`);
      return;
    }
    this.lastProblem.delete(c.id);
    for (const what of ['added', 'moved', 'missing', 'removed'] as const)
      if (changes[what].length > 0) log.info({ members: changes[what] }, `cluster members ${what}`);
    if (changes.updated.length > 0) log.debug({ members: changes.updated }, 'cluster members updated');
    if (changes.problems.length > 0)
      this.warnOnce(-c.id, `cluster ${c.name}: ${changes.problems.join('; ')}`);
  }
}
