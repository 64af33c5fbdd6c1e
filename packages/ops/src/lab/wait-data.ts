/**
 * Step 8 of `lab up`: waits until every agent's samples are in the backend
 * and younger than two probe intervals, every server the lab monitors has
 * PostgreSQL probe data as fresh (`agent.server-data` of `pharos check`
 * judges it ok), and every web instance serves the same fleet through its
 * API after one login (stateless sessions). So `pharos check` run right
 * after `lab up` passes.
 */
import { readFileSync } from 'node:fs';
import { SERVER_DATA_SQL } from '../check/server-data.js';
import { evaluateServerData, type ServerDataRow } from '../check/server-data-evaluate.js';
import { agentHosts } from '../topology/hosts.js';
import { sqlOnBackend } from './backend-sql.js';
import type { UpContext } from './context.js';
import { getCluster } from './patroni-api.js';
import { assertAlive, waitFor } from './processes.js';
import { webGet, webLogin } from './web-client.js';

/** Address of the Patroni leader (asked of the first backend, else the second). */
async function leaderHost(ctx: Pick<UpContext, 'topo' | 'access'>): Promise<string> {
  const c = await getCluster(ctx.topo.backends[0]!.address, ctx.access.patroni).catch(async () =>
    getCluster(ctx.topo.backends[1]!.address, ctx.access.patroni),
  );
  const leader = c.members.find((m) => m.role === 'leader');
  if (!leader) throw new Error('no Patroni leader');
  return leader.host;
}

/** Freshness of each agent's newest sample, from the primary: agent id -> age in seconds (null = none yet). */
export async function agentSampleAges(
  ctx: Pick<UpContext, 'topo' | 'secrets' | 'access'>,
): Promise<Map<number, number | null>> {
  const rows = await sqlOnBackend(
    ctx,
    await leaderHost(ctx),
    'pem',
    `SELECT a.id, extract(epoch FROM clock_timestamp() - max(l.collected_at))::float8 AS age_s
       FROM pem.agent a LEFT JOIN pemdata.latest l ON l.agent_id = a.id GROUP BY a.id ORDER BY a.id`,
  );
  return new Map(rows.map((r) => [Number(r.id), r.age_s === null ? null : Number(r.age_s)]));
}

/** Waits for agent data in the backend, then for the same fleet on every web instance. */
export async function waitForData(ctx: UpContext): Promise<void> {
  await waitForAgentsAndServers(
    ctx,
    agentHosts(ctx.topo).map((h) => h.agentId),
    ctx.topo.backends.map((b) => b.name),
  );
}

/**
 * Waits until agents `expected` have fresh samples in the backend, servers
 * `servers` (display names) fresh PostgreSQL probe data as `pharos check`
 * judges it, and every web instance lists those agents: the PEM
 * deployment's own (waitForData) and the lab's fleet (lab/fleet/).
 */
export async function waitForAgentsAndServers(
  ctx: UpContext,
  expected: readonly number[],
  servers: readonly string[],
): Promise<void> {
  // probe_interval_s is the agents' tick; the shortest default probe interval is 10 s.
  const maxAge = 2 * Math.max(ctx.probeIntervalS, 10) + 5;
  await waitFor(
    `samples from all ${expected.length} agents younger than ${maxAge} s`,
    async () => {
      assertAlive(ctx.state.processes.filter((p) => p.kind === 'agent' || p.kind === 'web'));
      const ages = await agentSampleAges(ctx);
      const stale = expected.filter((id) => {
        const a = ages.get(id);
        return a === undefined || a === null || a > maxAge;
      });
      if (stale.length > 0) throw new Error(`no fresh samples yet from agents ${stale.join(', ')}`);
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 1000 },
  );
  // The first server probe cycle follows each agent's first binding sync: wait for it on every server.
  await waitFor(
    `PostgreSQL probe data younger than ${maxAge} s of every monitored server (${servers.join(', ')})`,
    async () => {
      assertAlive(ctx.state.processes.filter((p) => p.kind === 'agent'));
      const rows = (await sqlOnBackend(ctx, await leaderHost(ctx), 'pem', SERVER_DATA_SQL, [
        maxAge,
      ])) as unknown as ServerDataRow[];
      const judged = evaluateServerData(
        rows.filter((r) => servers.includes(r.display_name)),
        maxAge,
      );
      const missing = servers.filter((n) => !rows.some((r) => r.display_name === n));
      const notOk = judged.filter((r) => r.status !== 'ok').map((r) => `${r.subject}: ${r.measured}`);
      if (missing.length > 0) notOk.push(`not registered yet: ${missing.join(', ')}`);
      if (notOk.length > 0) throw new Error(notOk.join('; '));
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 1000 },
  );
  const ca = readFileSync(ctx.pki.caFile, 'utf8');
  const urls = ctx.state.webUrls;
  const session = await waitFor(
    `login on ${urls[0]}`,
    () => webLogin(urls[0]!, ctx.topo.pem.superuser, ctx.secrets.pemsuper, ca),
    { timeoutMs: 60_000, intervalMs: 1000 },
  );
  for (const url of urls) {
    await waitFor(
      `the fleet with all ${expected.length} agents on ${url}`,
      async () => {
        const r = await webGet<{ agents?: { id: number }[] }>(url, '/api/fleet', session, ca);
        if (r.status !== 200) throw new Error(`GET /api/fleet answered ${r.status}`);
        const ids = new Set((r.body.agents ?? []).map((a) => a.id));
        const missing = expected.filter((id) => !ids.has(id));
        if (missing.length > 0) throw new Error(`agents missing: ${missing.join(', ')}`);
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
  }
}
