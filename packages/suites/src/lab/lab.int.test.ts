/**
 * Issue 2's acceptance, against the real lab: etcd, Patroni, PostgreSQL,
 * six agents and three web instances, brought up from nothing by `labUp`
 * with the shared lab topology, in its own directory; with the lab's fleet
 * (issue 14: a standalone server and the Patroni cluster `orders` on the
 * lab's etcd, three enrolled agents) secured as the deployment is (issue 16).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { MonitoredCluster } from '@pharos/backend/fleet/clusters';
import type { MonitoredServer } from '@pharos/backend/fleet/servers';
import { HaConnection } from '@pharos/core/ha/connection';
import { SERVER_DATA_SQL } from '@pharos/ops/check/server-data';
import { labAccess } from '@pharos/ops/lab/access';
import { sqlOnBackend } from '@pharos/ops/lab/backend-sql';
import { PHAROS_BIN } from '@pharos/ops/lab/context';
import { labDown } from '@pharos/ops/lab/down';
import { fleetEtcdUser, fleetPatroniAccess } from '@pharos/ops/lab/fleet/start';
import { requestJson } from '@pharos/ops/lab/http';
import { labRss } from '@pharos/ops/lab/memory';
import { getCluster, isHealthy, switchover } from '@pharos/ops/lab/patroni-api';
import { isRunning } from '@pharos/ops/lab/processes';
import { loadOrCreateSecrets } from '@pharos/ops/lab/secrets';
import { type LabState, readState } from '@pharos/ops/lab/state';
import { labStatus } from '@pharos/ops/lab/status';
import { labUp } from '@pharos/ops/lab/up';
import { webGet, webLogin } from '@pharos/ops/lab/web-client';
import { ETCD_PATRONI_USER, patroniKeyPrefix } from '@pharos/ops/render/infrastructure';
import {
  assertEtcdClustersIsolated,
  assertEtcdSecured,
  assertPatronictlWorks,
  assertPatroniRestSecured,
} from '@pharos/ops/testing/infrastructure-security';
import { agentHosts } from '@pharos/ops/topology/hosts';
import { loadTopology } from '@pharos/ops/topology/load';
import { ARTIFACTS, launchChromium } from '@pharos/testkit/browser/browser';
import { runProgram } from '@pharos/testkit/postgres/postgres-server';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { coverage } from '../faults/batch-coverage.js';
import {
  type LabWeb,
  openFleet,
  SERVER_LEFTOVERS_SQL,
  shownMembers,
  textOf,
  waitForCharts,
} from './fleet-journey.js';

const TOPOLOGY = new URL('../../../../examples/lab-sm.topology.yml', import.meta.url).pathname;
const DIR = process.env.PHAROS_TEST_LAB_DIR ?? '/var/tmp/pharos-lab-test';
const PROBE_INTERVAL_S = 3;
/**
 * The shortest default probe interval (cpu, load, connections: 10 s): the lab's
 * probe_interval_s is the agents' tick, each probe keeps its own interval.
 */
const SHORTEST_PROBE_INTERVAL_S = Math.max(PROBE_INTERVAL_S, 10);
/**
 * What a switchover may take beyond one probe interval to show in Pharos:
 * the follower's look itself (a GET /cluster of at most 3 s, usually a few
 * ms, then pem.agent_cluster_observed) and the test's 100 ms poll.
 * The follower looks every probe_interval_s (agent/src/run.ts, follow/cluster-follower.ts).
 */
const FOLLOW_SLACK_MS = 1000;

const topo = loadTopology(TOPOLOGY, 'lab');
let state: LabState;
const lines: string[] = [];
/** How to reach the lab's Patroni REST API and etcd (read once the lab is up). */
const access = () => labAccess(topo, DIR);
/** The lab's fleet (set once the lab is up). */
const fleet = () => state.fleet!;
/** How to reach the fleet cluster's REST API (its own password). */
const fleetAccess = () =>
  fleetPatroniAccess(
    { topo, secrets: loadOrCreateSecrets(DIR), caFile: `${DIR}/pki/ca.crt` },
    fleet().cluster.scope,
  );
/** The first web instance and the lab's CA. */
const labWeb = (): LabWeb => ({ url: state.webUrls[0]!, ca: readFileSync(`${DIR}/pki/ca.crt`, 'utf8') });
/** `pharos <args>` as the lab's administrator on its terminal (the DBA's environment, lab/fleet/dba.ts). */
const pharosCli = (args: string[]) =>
  runProgram(process.execPath, [PHAROS_BIN, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PHAROS_URL: state.webUrls[0]!,
      PHAROS_CA_FILE: `${DIR}/pki/ca.crt`,
      PHAROS_USER: topo.pem.superuser,
      PHAROS_PASSWORD: loadOrCreateSecrets(DIR).pemsuper,
      XDG_CACHE_HOME: `${DIR}/.cache`,
    },
  });
/** Every agent of the lab: the deployment's six, then the fleet's three. */
const allAgentIds = () => [...agentHosts(topo).map((h) => h.agentId), ...fleet().hosts.map((h) => h.agentId)];

async function leaderName(): Promise<string> {
  for (const b of topo.backends) {
    try {
      const c = await getCluster(b.address, access().patroni);
      const l = c.members.find((m) => m.role === 'leader');
      if (l) return l.name;
    } catch {
      /* next */
    }
  }
  throw new Error('no leader');
}

async function sqlOnLeader(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const name = await leaderName();
  const addr = topo.backends.find((b) => b.name === name)!.address;
  return sqlOnBackend({ topo, secrets: loadOrCreateSecrets(DIR) }, addr, 'pem', sql, params);
}

/**
 * Per agent: stored batches (pem.ship_batch) and the highest sample id in
 * them, and pemhistory's row count and distinct sample ids (history keeps
 * only changed values of change-point probes, so its ids have holes by design;
 * the batches cover every id).
 */
async function sampleCounts(): Promise<
  Map<number, { batches: number; max: number; historyRows: number; historyIds: number }>
> {
  const rows = await sqlOnLeader(
    `SELECT b.agent_id, count(*)::int AS batches, max(b.last_sample_id)::bigint AS m,
            (SELECT count(*) FROM pemhistory.sample h WHERE h.agent_id = b.agent_id)::int AS hn,
            (SELECT count(DISTINCT sample_id) FROM pemhistory.sample h WHERE h.agent_id = b.agent_id)::int AS hd
       FROM pem.ship_batch b GROUP BY b.agent_id`,
  );
  return new Map(
    rows.map((r) => [
      Number(r.agent_id),
      { batches: Number(r.batches), max: Number(r.m), historyRows: Number(r.hn), historyIds: Number(r.hd) },
    ]),
  );
}

describe('lab up: the whole reference deployment on one machine', { timeout: 900_000 }, () => {
  let peakRssBytes = 0;
  const memoryTimer = setInterval(() => {
    const s = readState(DIR);
    if (s) peakRssBytes = Math.max(peakRssBytes, labRss(s.processes, DIR).bytes);
  }, 500);

  before(async () => {
    await labDown(DIR, { removeData: true, print: () => {} });
    state = await labUp({
      topologyFile: TOPOLOGY,
      dir: DIR,
      print: (l) => lines.push(l),
      probeIntervalS: PROBE_INTERVAL_S,
    });
  });

  after(async () => {
    clearInterval(memoryTimer);
    process.stdout.write(`# lab peak resident memory ${(peakRssBytes / 2 ** 20).toFixed(0)} MiB\n`);
    if (process.env.PHAROS_KEEP_LAB !== '1') await labDown(DIR, { removeData: true, print: () => {} });
  });

  test('prints its steps and ends up, with the fleet added by the DBA’s commands', () => {
    assert.equal(state.phase, 'up');
    assert.ok(
      lines.some((l) => l.startsWith('[9/9]') && l.includes(': ok (')),
      lines.join('\n'),
    );
    assert.deepEqual(
      fleet().hosts.map((h) => h.name),
      ['db-host-1', 'db-host-2', 'db-host-3'],
    );
    const clusterAdd = state.fleetCommands?.find((c) => c.argv.slice(1, 3).join(' ') === 'cluster add');
    assert.ok(clusterAdd, JSON.stringify(state.fleetCommands));
    // secured: https REST URLs and the CA the following agent verifies them with
    assert.deepEqual(
      clusterAdd.argv.filter((_, i) => clusterAdd.argv[i - 1] === '--rest-url'),
      fleet().cluster.members.map((m) => `https://${m.address}:${topo.patroni.rest_port}`),
    );
    assert.equal(clusterAdd.argv[clusterAdd.argv.indexOf('--rest-cafile') + 1], `${DIR}/pki/ca.crt`);
    process.stdout.write(`# lab up took ${((state.upDurationMs ?? 0) / 1000).toFixed(1)} s\n`);
    for (const l of lines.filter((x) => /^\[\d+\/\d+\] .*: ok \(/.test(x)))
      process.stdout.write(`#   ${l}\n`);
  });

  test('pharos check --strict right after lab up passes (no warning, no failure)', async () => {
    const r = await runProgram(process.execPath, [PHAROS_BIN, 'check', '--lab-dir', DIR, '--strict']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /checks: (\d+) ok, 0 warning\(s\), 0 failed in .*: PASSED$/m);
    assert.match(r.stdout, /^ok +agent\.server-data +pem-backend-1 /m);
    // and the fleet's servers (the removal at the end finds them gone)
    for (const n of fleet().serverNames)
      assert.match(r.stdout, new RegExp(`^ok +agent\\.server-data +${n} `, 'm'), n);
  });

  test('one Patroni leader and two streaming replicas', async () => {
    const c = await getCluster(topo.backends[0]!.address, access().patroni);
    assert.ok(isHealthy(c.members, 3), JSON.stringify(c.members));
  });

  test('ssl = on on all three PostgreSQL servers', async () => {
    for (const b of topo.backends) {
      const rows = await sqlOnBackend(
        { topo, secrets: loadOrCreateSecrets(DIR) },
        b.address,
        'postgres',
        'SHOW ssl',
      );
      assert.equal(rows[0]!.ssl, 'on', b.name);
    }
  });

  test('agent1 with the wrong certificate (agent2’s) is refused; with its own it connects', async () => {
    const pharos = (h: string) => `${DIR}/${h}/pharos`;
    const [b1, b2] = topo.backends;
    const base = `host=${b1!.address},${topo.backends[1]!.address},${topo.backends[2]!.address} port=5432 dbname=pem user=agent1 sslmode=verify-full sslrootcert=${DIR}/pki/ca.crt target_session_attrs=read-write connect_timeout=5`;
    const wrong = new HaConnection({
      conninfo: `${base} sslcert=${pharos(b2!.name)}/agent2.crt sslkey=${pharos(b2!.name)}/agent2.key`,
      sourceAddress: b1!.address,
    });
    await assert.rejects(wrong.query('SELECT 1'), /certificate|authentication|rejected|no pg_hba/i);
    await wrong.close();
    const right = new HaConnection({
      conninfo: `${base} sslcert=${pharos(b1!.name)}/agent1.crt sslkey=${pharos(b1!.name)}/agent1.key`,
      sourceAddress: b1!.address,
    });
    const r = await right.query<{ u: string }>('SELECT current_user AS u');
    assert.equal(r.rows[0]!.u, 'agent1');
    await right.close();
  });

  test('all nine agents’ samples (six of the deployment, three of the fleet) are in the backend, younger than two probe intervals', async () => {
    const rows = await sqlOnLeader(
      `SELECT a.id, extract(epoch FROM clock_timestamp() - max(l.collected_at))::float8 AS age_s, count(DISTINCT l.probe)::int AS probes
         FROM pem.agent a JOIN pemdata.latest l ON l.agent_id = a.id GROUP BY a.id ORDER BY a.id`,
    );
    assert.deepEqual(
      rows.map((r) => Number(r.id)),
      allAgentIds(),
    );
    for (const r of rows) {
      assert.ok(
        Number(r.age_s) < 2 * SHORTEST_PROBE_INTERVAL_S,
        `agent ${r.id}: newest sample ${r.age_s} s old`,
      );
      assert.ok(Number(r.probes) >= 4, `agent ${r.id}: only ${r.probes} probes`);
    }
  });

  test('each backend server and each fleet server has fresh PostgreSQL probe data from its own agent', async () => {
    // lab up returns only once every monitored server has fresh PostgreSQL probe data
    const rows = await sqlOnLeader(SERVER_DATA_SQL, [60]);
    // every server, whatever order they were registered in (the fleet's are added concurrently)
    assert.deepEqual(
      rows.map((r) => r.display_name).sort(),
      [...topo.backends.map((b) => b.name), ...fleet().serverNames].sort(),
    );
    for (const r of rows) {
      assert.ok(
        r.sql_age_s !== null && Number(r.sql_age_s) < 30,
        `${r.display_name}: newest PostgreSQL probe sample ${r.sql_age_s} s old; newest failure: ${r.last_error}`,
      );
      assert.equal(r.agent_reported, true, `${r.display_name}: no agent_status from agent ${r.agent_id}`);
    }
  });

  test('all three web instances return the same fleet through their API after one login', async () => {
    const ca = readFileSync(`${DIR}/pki/ca.crt`, 'utf8');
    const session = await webLogin(
      state.webUrls[0]!,
      topo.pem.superuser,
      loadOrCreateSecrets(DIR).pemsuper,
      ca,
    );
    const fleets = [];
    for (const url of state.webUrls) {
      const r = await webGet<{
        agents: { id: number; name: string }[];
        servers: { id: number; name: string }[];
      }>(url, '/api/fleet', session, ca);
      assert.equal(r.status, 200, url);
      fleets.push({
        agents: r.body.agents.map((a) => `${a.id}:${a.name}`).sort(),
        servers: r.body.servers.map((s) => `${s.id}:${s.name}`).sort(),
      });
    }
    assert.equal(fleets[0]!.agents.length, 9);
    assert.equal(fleets[0]!.servers.length, 6);
    assert.deepEqual(fleets[1], fleets[0]);
    assert.deepEqual(fleets[2], fleets[0]);
    const anon = await webGet(state.webUrls[1]!, '/api/fleet', undefined, ca);
    assert.equal(anon.status, 401);
  });

  test("security: Patroni's REST API answers 401 to every unsafe method without its password", async () => {
    await assertPatroniRestSecured(topo, access().patroni);
  });

  test('security: etcd refuses a connection without a client certificate, keys without a user', async () => {
    const agent1 = `${DIR}/${topo.backends[0]!.name}/pharos`;
    await assertEtcdSecured(
      topo,
      access().etcd,
      {
        cert: readFileSync(`${agent1}/agent1.crt`, 'utf8'),
        key: readFileSync(`${agent1}/agent1.key`, 'utf8'),
      },
      loadOrCreateSecrets(DIR).etcd_patroni,
      await leaderName(),
    );
  });

  test('security: with the credentials everything reads the secured endpoints (patronictl, web overview, Patroni probes)', async () => {
    await assertPatronictlWorks(DIR, topo);
    const ca = readFileSync(`${DIR}/pki/ca.crt`, 'utf8');
    const session = await webLogin(
      state.webUrls[0]!,
      topo.pem.superuser,
      loadOrCreateSecrets(DIR).pemsuper,
      ca,
    );
    const r = await webGet<{
      patroni: { members: { name: string }[]; apis: { url: string; reachable: boolean }[] };
      etcd: { configured: boolean; members: { endpoint: string; healthy: boolean }[] };
    }>(state.webUrls[0]!, '/api/cluster', session, ca);
    assert.equal(r.status, 200);
    assert.equal(r.body.patroni.members.length, topo.backends.length, JSON.stringify(r.body.patroni));
    assert.ok(
      r.body.patroni.apis.every((a) => a.url.startsWith('https://') && a.reachable),
      JSON.stringify(r.body.patroni.apis),
    );
    assert.equal(r.body.etcd.configured, true);
    assert.deepEqual(
      r.body.etcd.members.map((m) => [m.endpoint, m.healthy]),
      topo.etcd.map((m) => [`https://${m.address}:2379`, true]),
    );
    const probed = await waitFor(
      "each backend's Patroni probes (https to its REST API) in the last minute",
      async (): Promise<number | undefined> => {
        const rows = await sqlOnLeader(
          `SELECT count(DISTINCT l.server_id)::int AS n FROM pemdata.latest l JOIN pem.server s ON s.id = l.server_id
            WHERE s.is_pem_backend AND l.probe = 'patroni_node' AND l.collected_at > clock_timestamp() - interval '1 minute'`,
        );
        const n = Number(rows[0]!.n);
        return n === topo.backends.length ? n : undefined;
      },
      { deadlineMs: 60_000, intervalMs: 1000 },
    );
    assert.equal(probed, topo.backends.length);
  });

  test("security: the fleet's cluster has its own REST password (401 without it, https verified) and etcd user, limited to its own keys", async () => {
    const members = fleet().cluster.members;
    const secrets = loadOrCreateSecrets(DIR);
    const fa = fleetAccess();
    await assertPatroniRestSecured(topo, fa, {
      address: members[0]!.address,
      members: members.map((m) => m.name),
      ttl: topo.patroni.ttl,
    });
    // the PEM cluster's REST password is not the fleet's, and the other way round
    const swapped = await requestJson(`https://${members[0]!.address}:${topo.patroni.rest_port}/config`, {
      method: 'PATCH',
      body: { ttl: topo.patroni.ttl },
      ca: fa.ca,
      auth: access().patroni.auth,
      timeoutMs: 5000,
    });
    assert.equal(swapped.status, 401, "the PEM cluster's REST password on the fleet's cluster");
    const fleetLeader = (await getCluster(members[0]!.address, fa)).members.find((m) => m.role === 'leader');
    assert.ok(fleetLeader, 'the fleet cluster has a leader');
    const orders = fleetEtcdUser(fleet().cluster.scope, secrets);
    assert.equal(orders.prefix, `/service/${fleet().cluster.scope}/`);
    await assertEtcdClustersIsolated(topo, access().etcd, [
      {
        user: { username: ETCD_PATRONI_USER, password: secrets.etcd_patroni },
        prefix: patroniKeyPrefix(topo),
        leader: await leaderName(),
      },
      {
        user: { username: orders.name, password: orders.password },
        prefix: orders.prefix,
        leader: fleetLeader.name,
      },
    ]);
    // the registration gives the following agent the CA; its look and the members' Patroni probes are https, verified
    const clusters = await sqlOnLeader(
      `SELECT rest_cafile, observed_from, observed_error, leader,
              (SELECT array_agg(s.patroni_api_url ORDER BY s.patroni_member) FROM pem.server s WHERE s.cluster_id = c.id) AS api_urls
         FROM pem.monitored_cluster c WHERE name = $1`,
      [fleet().cluster.scope],
    );
    assert.equal(clusters.length, 1);
    const c = clusters[0]!;
    assert.equal(c.rest_cafile, `${DIR}/pki/ca.crt`);
    assert.match(String(c.observed_from), /^https:\/\//, JSON.stringify(c));
    assert.equal(c.observed_error, null, JSON.stringify(c));
    assert.equal(c.leader, fleetLeader.name);
    assert.deepEqual(
      c.api_urls,
      members.map((m) => `https://${m.address}:${topo.patroni.rest_port}`),
    );
    const probed = await waitFor(
      "the fleet members' Patroni probes (https to their REST API) in the last minute",
      async (): Promise<string[] | undefined> => {
        const rows = await sqlOnLeader(
          `SELECT s.display_name FROM pemdata.latest l JOIN pem.server s ON s.id = l.server_id
            WHERE l.probe = 'patroni_node' AND s.cluster_id IS NOT NULL
              AND l.collected_at > clock_timestamp() - interval '1 minute'
            ORDER BY 1`,
        );
        const names = rows.map((r) => String(r.display_name));
        return names.length === members.length ? names : undefined;
      },
      { deadlineMs: 60_000, intervalMs: 1000 },
    );
    assert.deepEqual(
      probed,
      fleet().serverNames.filter((n) => n.includes('/')),
    );
  });

  test('lab status reads the secured etcd and Patroni: every process healthy, roles from Patroni', async () => {
    const st = await labStatus(DIR);
    assert.equal(st.healthy, true, JSON.stringify(st.lines));
    assert.deepEqual(
      st.lines.filter((l) => l.kind === 'etcd').map((l) => l.detail),
      topo.etcd.map(() => 'healthy'),
    );
    const isBackend = (host: string) => topo.backends.some((b) => b.name === host);
    const patroni = st.lines.filter((l) => l.kind === 'patroni' && isBackend(l.host)).map((l) => l.detail);
    assert.equal(patroni.filter((d) => d.startsWith('leader running')).length, 1, patroni.join('; '));
    assert.equal(
      patroni.filter((d) => / streaming /.test(d)).length,
      topo.backends.length - 1,
      patroni.join('; '),
    );
    // the fleet's cluster, read over https too
    const scope = fleet().cluster.scope;
    const members = st.lines.filter((l) => l.kind === 'patroni' && !isBackend(l.host)).map((l) => l.detail);
    assert.equal(members.length, fleet().cluster.members.length, members.join('; '));
    assert.equal(
      members.filter((d) => d.startsWith(`${scope}: leader running`)).length,
      1,
      members.join('; '),
    );
    assert.equal(
      members.filter((d) => d.startsWith(`${scope}: replica streaming`)).length,
      1,
      members.join('; '),
    );
    const agents = st.lines.filter((l) => l.kind === 'agent');
    assert.equal(agents.length, allAgentIds().length);
    assert.ok(
      agents.every((l) => /newest sample/.test(l.detail)),
      JSON.stringify(agents),
    );
  });

  test('the Fleet pages in headless Chromium, as a pem_admin member: inventory and the orders cluster with its members and roles; their servers’ charts hold data', async () => {
    // an administrator as the docs make one: a login role granted pem_admin (not the installing superuser)
    const password = randomBytes(18).toString('base64url');
    await sqlOnLeader(`CREATE ROLE lab_fleet_admin LOGIN PASSWORD '${password}' IN ROLE pem_admin`);
    const web = labWeb();
    const session = await webLogin(web.url, 'lab_fleet_admin', password, web.ca);
    const servers = (await webGet<MonitoredServer[]>(web.url, '/api/servers', session, web.ca)).body;
    const idOf = (name: string) => servers.find((s) => s.displayName === name)!.id;
    const scope = fleet().cluster.scope;
    const problems: string[] = [];
    const browser = await launchChromium();
    try {
      const page = await openFleet(browser, web, 'lab_fleet_admin', password, problems);
      const leader = (await getCluster(fleet().cluster.members[0]!.address, fleetAccess())).members.find(
        (m) => m.role === 'leader',
      )!.name;
      const roleOf = (member: string) => (member === leader ? 'leader' : 'replica');
      // Servers tab: the standalone and each member, with its kind, cluster and Patroni role
      await page.locator('#fleet-servers tr[data-name="inventory"]').waitFor();
      assert.match(
        await textOf(page, '#fleet-servers tr[data-name="inventory"]'),
        /^inventory\s*standalone\s*primary\s*up/,
      );
      for (const m of fleet().cluster.members)
        assert.match(
          await textOf(page, `#fleet-servers tr[data-name="${scope}/${m.name}"]`),
          new RegExp(
            `^${scope}/${m.name}\\s*Patroni member\\s*${scope} \\(${m.name}\\)\\s*${roleOf(m.name)}\\s*up`,
          ),
        );
      assert.ok(await page.locator('#server-add').isVisible(), 'pem_admin sees Add server');
      // Patroni clusters tab: orders, its leader, each member with its role
      await page.click('#fleet-tab-clusters');
      const card = `.cluster-card[data-name="${scope}"]`;
      await page.locator(card).waitFor();
      assert.match(await textOf(page, `${card} .cluster-look`), new RegExp(`^leader ${leader}`));
      const roles = await page
        .locator(`${card} tr[data-member]`)
        .evaluateAll((rows) =>
          rows.map((r) => `${r.getAttribute('data-member')}=${r.getAttribute('data-role')}`),
        );
      assert.deepEqual(
        roles.sort(),
        fleet()
          .cluster.members.map((m) => `${m.name}=${roleOf(m.name)}`)
          .sort(),
      );
      await page.screenshot({ path: `${ARTIFACTS}lab-fleet-clusters.png`, fullPage: true });
      // server pages: charts drawn with data points, for the standalone and for a member of orders
      const charts = ['tps', 'connections'];
      const inventory = await waitForCharts(page, web, idOf('inventory'), charts, 2);
      const member = await waitForCharts(page, web, idOf(`${scope}/${leader}`), charts, 2);
      process.stdout.write(
        `# chart points: inventory ${JSON.stringify(inventory)}, ${scope}/${leader} ${JSON.stringify(member)}\n`,
      );
      await page.screenshot({ path: `${ARTIFACTS}lab-fleet-member-server.png`, fullPage: true });
      // the 401 of the first GET /api/session is expected
      assert.deepEqual(
        problems.filter((p) => !/status of 401/.test(p)),
        [],
      );
    } finally {
      await browser.close();
    }
  });

  test('a switchover of the monitored cluster orders through its REST API: Pharos shows the new leader as primary within one probe interval, the old one as replica', async () => {
    const members = fleet().cluster.members;
    const fa = fleetAccess();
    const web = labWeb();
    const session = await webLogin(web.url, topo.pem.superuser, loadOrCreateSecrets(DIR).pemsuper, web.ca);
    const clusters = (await webGet<MonitoredCluster[]>(web.url, '/api/clusters', session, web.ca)).body;
    const clusterId = clusters.find((c) => c.name === fleet().cluster.scope)!.id;
    const c = await getCluster(members[0]!.address, fa);
    const oldLeader = c.members.find((m) => m.role === 'leader')!.name;
    const newLeader = members.find((m) => m.name !== oldLeader)!.name;
    const before = await shownMembers(web, session, clusterId);
    assert.deepEqual(
      before.map((m) => `${m.member} ${m.patroniRole} ${m.role}`).sort(),
      [`${oldLeader} leader primary`, `${newLeader} replica standby`].sort(),
    );
    await switchover(members.find((m) => m.name === oldLeader)!.address, oldLeader, newLeader, fa);
    // Patroni answered: the new leader holds the leader key; from here Pharos has one look (one probe interval) to show it
    const switchedAt = Date.now();
    const shown = await waitFor(
      `Pharos to show ${newLeader} as the primary of orders`,
      async () => {
        const m = await shownMembers(web, session, clusterId);
        const n = m.find((x) => x.member === newLeader);
        return n?.patroniRole === 'leader' && n.role === 'primary' ? m : undefined;
      },
      { deadlineMs: 60_000, intervalMs: 100 },
    );
    const followMs = Date.now() - switchedAt;
    process.stdout.write(
      `# orders switchover ${oldLeader} -> ${newLeader}: Pharos showed ${newLeader} as primary ${followMs} ms after Patroni's answer (probe interval ${PROBE_INTERVAL_S} s)\n`,
    );
    // one probe interval, plus the look itself (a GET /cluster, the backend call) and this poll's own step
    assert.ok(
      followMs <= PROBE_INTERVAL_S * 1000 + FOLLOW_SLACK_MS,
      `${newLeader} shown as primary after ${followMs} ms, more than one probe interval (${PROBE_INTERVAL_S} s) + ${FOLLOW_SLACK_MS} ms`,
    );
    const old = shown.find((x) => x.member === oldLeader)!;
    assert.notEqual(old.patroniRole, 'leader', JSON.stringify(shown));
    assert.notEqual(old.role, 'primary', JSON.stringify(shown));
    // the old leader, demoted and restarted by Patroni, is shown as a replica
    const replicaShown = await waitFor(
      `Pharos to show ${oldLeader} as a replica of orders`,
      async () => {
        const o = (await shownMembers(web, session, clusterId)).find((x) => x.member === oldLeader);
        return o?.patroniRole === 'replica' && o.role === 'standby' ? o : undefined;
      },
      { deadlineMs: 60_000, intervalMs: 250 },
    );
    process.stdout.write(
      `# ${oldLeader} shown as replica ${Date.now() - switchedAt} ms after the switchover (${JSON.stringify(replicaShown)})\n`,
    );
    // the CLI says the same
    const list = await pharosCli(['cluster', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const orders = (JSON.parse(list.stdout) as MonitoredCluster[]).find((x) => x.id === clusterId)!;
    assert.equal(orders.observed.leader, newLeader);
    assert.deepEqual(
      orders.members.map((m) => `${m.member} ${m.role}`).sort(),
      [`${newLeader} leader`, `${oldLeader} replica`].sort(),
    );
  });

  test('after a switchover the samples keep arriving and none shipped before it is missing', async () => {
    const before = await sampleCounts();
    const leader = await leaderName();
    const candidate = topo.backends.find((b) => b.name !== leader)!.name;
    await switchover(
      topo.backends.find((b) => b.name === leader)!.address,
      leader,
      candidate,
      access().patroni,
    );
    await waitFor(
      `${candidate} to lead with two streaming replicas`,
      async () => {
        const c = await getCluster(
          topo.backends.find((b) => b.name === candidate)!.address,
          access().patroni,
        );
        return c.members.find((m) => m.role === 'leader')?.name === candidate && isHealthy(c.members, 3);
      },
      { deadlineMs: 120_000, intervalMs: 1000 },
    );
    const after = await waitFor(
      'every agent to ship new samples after the switchover',
      async () => {
        const now = await sampleCounts();
        const behind = [...before.keys()].filter((id) => (now.get(id)?.max ?? 0) <= before.get(id)!.max);
        if (behind.length > 0) throw new Error(`agents without new samples: ${behind.join(', ')}`);
        return now;
      },
      { deadlineMs: 120_000, intervalMs: 1000 },
    );
    for (const [id, b] of before) {
      const a = after.get(id)!;
      assert.equal(a.historyRows, a.historyIds, `agent ${id}: a sample stored twice in pemhistory`);
      assert.ok(a.batches > b.batches, `agent ${id}: no batch stored after the switchover`);
      const batches = await sqlOnLeader(
        `SELECT first_sample_id AS f, last_sample_id AS l, sample_count AS n FROM pem.ship_batch WHERE agent_id = ${id}`,
      );
      const stored = batches.map((r) => ({
        first: Number(r.f),
        last: Number(r.l),
        sampleCount: Number(r.n),
      }));
      const from = Math.min(...stored.map((x) => x.first));
      const cov = coverage(stored, from, a.max);
      assert.deepEqual(
        [cov.missing, cov.duplicated, cov.irregular],
        [0, 0, 0],
        `agent ${id}: every sample id ${from}..${a.max} in exactly one stored batch (${cov.examples.join('; ')})`,
      );
    }
  });

  test('pharos cluster remove and pharos server remove leave nothing of the fleet’s servers but their history; pharos check no longer reports them', async () => {
    const web = labWeb();
    const session = await webLogin(web.url, topo.pem.superuser, loadOrCreateSecrets(DIR).pemsuper, web.ca);
    const servers = (await webGet<MonitoredServer[]>(web.url, '/api/servers', session, web.ca)).body;
    const names = fleet().serverNames;
    const ids = servers.filter((s) => names.includes(s.displayName)).map((s) => s.id);
    assert.equal(ids.length, names.length, JSON.stringify(servers.map((s) => s.displayName)));
    const scope = fleet().cluster.scope;
    const cluster = await pharosCli(['cluster', 'remove', scope]);
    assert.equal(cluster.code, 0, `${cluster.stdout}\n${cluster.stderr}`);
    assert.match(
      cluster.stdout,
      new RegExp(`^cluster \\d+ \\(${scope}\\): removed, with 2 member server\\(s\\)$`, 'm'),
    );
    assert.match(cluster.stdout, /^history kept until retention/m);
    const server = await pharosCli(['server', 'remove', fleet().standalone.serverName]);
    assert.equal(server.code, 0, `${server.stdout}\n${server.stderr}`);
    assert.match(
      server.stdout,
      /^server \d+ \(inventory\): removed, with its binding, \d+ alert\(s\), \d+ latest value\(s\)/m,
    );
    const again = await pharosCli(['server', 'remove', fleet().standalone.serverName]);
    assert.equal(again.code, 2, 'a second removal is refused');
    // the API lists: no cluster, none of the servers
    const clustersLeft = await webGet<MonitoredCluster[]>(web.url, '/api/clusters', session, web.ca);
    assert.deepEqual(clustersLeft.body, []);
    const serversLeft = (await webGet<MonitoredServer[]>(web.url, '/api/servers', session, web.ca)).body;
    assert.deepEqual(
      serversLeft.filter((s) => ids.includes(s.id) || names.includes(s.displayName)),
      [],
    );
    const left = async () => (await sqlOnLeader(SERVER_LEFTOVERS_SQL, [ids]))[0]!;
    const nothingBut = (r: Record<string, unknown>) => {
      const { history_samples, ...rest } = r;
      assert.deepEqual(
        rest,
        {
          server: 0,
          server_binding: 0,
          alert: 0,
          latest: 0,
          probe_log: 0,
          probe_override: 0,
          rollup_dirty: 0,
        },
        'nothing left of the removed servers',
      );
      assert.ok(Number(history_samples) > 0, 'their history stays until retention');
    };
    nothingBut(await left());
    assert.equal(
      Number((await sqlOnLeader('SELECT count(*)::int AS n FROM pem.monitored_cluster'))[0]!.n),
      0,
    );
    // pharos check no longer reports them (the agents stay enrolled, with no server)
    const check = await runProgram(process.execPath, [PHAROS_BIN, 'check', '--lab-dir', DIR]);
    for (const n of names)
      assert.doesNotMatch(
        check.stdout,
        new RegExp(`\\b${n.replace('/', '\\/')}\\b`),
        `check still reports ${n}`,
      );
    // and their agents, told to stop, wrote nothing for them since
    nothingBut(await left());
  });

  test('lab down stops every process it started and leaves none behind', async () => {
    const procs = readState(DIR)!.processes;
    const r = await labDown(DIR, { removeData: false, print: () => {} });
    assert.deepEqual(r.stuck, []);
    for (const p of procs) assert.equal(isRunning(p), false, `${p.kind} on ${p.host} pid ${p.pid}`);
    const leftovers = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          const cwd = readlinkSync(`/proc/${pid}/cwd`);
          return cmd.includes(DIR) || cwd.startsWith(DIR);
        } catch {
          return false;
        }
      });
    assert.deepEqual(leftovers, [], 'processes still running in the lab directory');
  });
  test('lab up again in the stopped lab’s directory removes its data and makes a new lab, fleet included', async () => {
    const before = readState(DIR)!;
    assert.equal(before.processes.length, 0, 'the previous test stopped the lab');
    const again: string[] = [];
    state = await labUp({
      topologyFile: TOPOLOGY,
      dir: DIR,
      print: (l) => again.push(l),
      probeIntervalS: PROBE_INTERVAL_S,
    });
    assert.equal(state.phase, 'up');
    assert.match(again[0]!, /^reusing lab directory .*: the previous lab was stopped; its data is removed$/);
    assert.ok(
      again.some((l) => l.startsWith('[9/9]') && l.includes(': ok (')),
      again.join('\n'),
    );
    assert.notEqual(state.createdAt, before.createdAt);
    // a new pem database: the first lab's fleet agents, removed servers and history are gone
    const rows = await sqlOnLeader(
      `SELECT (SELECT count(*)::int FROM pem.agent) AS agents,
              (SELECT count(*)::int FROM pem.server WHERE registered_at < $1::timestamptz) AS older`,
      [state.createdAt],
    );
    assert.deepEqual(rows[0], { agents: 9, older: 0 });
  });
});
