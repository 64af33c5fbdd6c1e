/**
 * Monitored Patroni clusters in the backend (migration 011,
 * sql/functions/fleet/): adding a cluster from the follower's reading makes
 * each member a server of the cluster bound to the agent on its host (else
 * the follower), with the Patroni probes on; the follower's looks
 * (pem.agent_cluster_observed, called as the agent's own database user)
 * follow the roles, add new members, mark and then remove absent ones,
 * refuse another scope and other agents; a member is removed with its
 * cluster, not on its own; bad input names the field and writes nothing.
 * The readings have the shape the agent sends (follow/read-cluster.ts
 * membersOf: the GET /cluster fields of Patroni 4 it keeps).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AlertBackend, startAlertBackend } from '../testing/backend.js';
import type { ClusterMember, ClusterReading } from './cluster-reading.js';
import { addCluster, getCluster, listClusters, MEMBER_GRACE_S, removeCluster } from './clusters.js';
import { listServers, removeServer, setServer } from './servers.js';

const ADDRESS = '127.0.23.10';
const HOST_1 = '127.0.23.11'; // db-node-1's host: agent 2 is enrolled with this address
const HOST_2 = '127.0.23.12'; // db-node-2's host: no agent of its own (the follower monitors it)
const HOST_3 = '127.0.23.13'; // db-node-3 joins later

const member = (
  name: string,
  host: string,
  role: string,
  state: string,
  lag: number | null,
): ClusterMember => ({
  name,
  role,
  state,
  host,
  port: 5432,
  api_url: `http://${host}:8008/patroni`,
  timeline: 1,
  lag,
});
const reading = (...members: ClusterMember[]): ClusterReading => ({
  scope: 'orders',
  endpoint: `http://${HOST_1}:8008`,
  members,
});
const spec = (over: Partial<Parameters<typeof addCluster>[2]> = {}) => ({
  name: 'orders',
  restEndpoints: [`http://${HOST_1}:8008`, `http://${HOST_2}:8008`],
  restCafile: null,
  agentId: 1,
  memberDefaults: {
    user: 'pem_monitor',
    sslmode: 'verify-full' as const,
    sslrootcert: null,
    maintenanceDb: 'postgres',
  },
  tags: ['prod'],
  notes: '',
  memberGraceS: MEMBER_GRACE_S,
  ...over,
});

describe('monitored Patroni clusters in the backend (real PostgreSQL)', { timeout: 180_000 }, () => {
  let b: AlertBackend;
  let clusterId = 0;
  const observe = (agentId: number, id: number, answer: ClusterReading | null, error: string | null = null) =>
    b
      .agentConn(agentId)
      .query<{ c: Record<string, string[] | string> }>(
        'SELECT pem.agent_cluster_observed($1, $2, $3::jsonb, $4, $5) AS c',
        [
          agentId,
          id,
          answer ? JSON.stringify({ scope: answer.scope, members: answer.members }) : null,
          answer?.endpoint ?? null,
          error,
        ],
      )
      .then((r) => r.rows[0]!.c);
  const servers = async () =>
    (await listServers(b.admin))
      .filter((s) => s.clusterId !== null)
      .map((s) => [s.displayName, s.host, s.agentId]);

  before(async () => {
    b = await startAlertBackend({ address: ADDRESS });
    await b.addAgent(1, { name: 'follower' });
    await b.addAgent(2, { name: 'db-host-1' });
    await b.sql(`UPDATE pem.agent SET host_address = '${HOST_1}' WHERE id = 2`);
    await b.addAgent(3, { name: 'bystander' });
  });
  after(async () => {
    await b?.stop();
  });

  it('adds the cluster: each member a server of it, bound to the agent on its host else the follower', async () => {
    clusterId = await addCluster(
      b.admin,
      'alice',
      spec(),
      reading(
        member('db-node-1', HOST_1, 'leader', 'running', null),
        member('db-node-2', HOST_2, 'replica', 'streaming', 0),
      ),
    );
    assert.deepEqual(await servers(), [
      ['orders/db-node-1', HOST_1, 2],
      ['orders/db-node-2', HOST_2, 1],
    ]);
    const c = await getCluster(b.admin, clusterId);
    assert.deepEqual(
      [
        c.scope,
        c.observed.leader,
        c.observed.timeline,
        c.members.map((m) => `${m.member} ${m.role} ${m.state}`),
      ],
      ['orders', 'db-node-1', 1, ['db-node-1 leader running', 'db-node-2 replica streaming']],
    );
    const list = await listServers(b.admin);
    const node1 = list.find((s) => s.displayName === 'orders/db-node-1')!;
    assert.deepEqual(
      [
        node1.kind,
        node1.clusterName,
        node1.patroniMember,
        node1.tags,
        node1.user,
        node1.createdBy,
        node1.observed.role,
      ],
      ['patroni-member', 'orders', 'db-node-1', ['prod'], 'pem_monitor', 'alice', 'primary'],
    );
    // its agent gets the member's REST API, and the Patroni probes on (as for a PEM backend's node)
    const bindings = await b.agentConn(2).query('SELECT server_id, patroni_url FROM pem.agent_bindings(2)');
    assert.deepEqual(bindings.rows, [{ server_id: node1.id, patroni_url: `http://${HOST_1}:8008` }]);
    const probes = await b
      .agentConn(2)
      .query<{ probe: string }>(
        "SELECT probe FROM pem.agent_probe_config(2) WHERE scope = 'server' AND enabled ORDER BY probe",
      );
    assert.deepEqual(
      probes.rows.map((r) => r.probe),
      ['patroni_cluster', 'patroni_node'],
    );
    // the follower (only) is told what to follow
    const followed = await b
      .agentConn(1)
      .query('SELECT cluster_id, name, rest_endpoints FROM pem.agent_clusters(1)');
    assert.deepEqual(followed.rows, [
      {
        cluster_id: clusterId,
        name: 'orders',
        rest_endpoints: [`http://${HOST_1}:8008`, `http://${HOST_2}:8008`],
      },
    ]);
    assert.equal((await b.agentConn(2).query('SELECT * FROM pem.agent_clusters(2)')).rows.length, 0);
    assert.ok(
      Number(
        (
          await b.sql(
            'SELECT count(*) AS n FROM pem.alert a JOIN pem.server s ON s.id = a.server_id WHERE s.cluster_id = $1',
            [clusterId],
          )
        )[0]!.n,
      ) > 0,
      'default alerts bound to the members',
    );
  });

  it('follows a switchover: the roles change with the next look', async () => {
    const node1 = (await listServers(b.admin)).find((s) => s.patroniMember === 'db-node-1')!;
    const changes = await observe(
      1,
      clusterId,
      reading(
        member('db-node-1', HOST_1, 'replica', 'streaming', 0),
        member('db-node-2', HOST_2, 'leader', 'running', null),
      ),
    );
    assert.deepEqual(changes.updated, ['db-node-1', 'db-node-2']);
    const list = await listServers(b.admin);
    assert.deepEqual(
      list.filter((s) => s.clusterId).map((s) => [s.patroniMember, s.observed.role, s.observed.patroniRole]),
      [
        ['db-node-1', 'standby', 'replica'],
        ['db-node-2', 'primary', 'leader'],
      ],
    );
    assert.equal((await getCluster(b.admin, clusterId)).observed.leader, 'db-node-2');
    assert.equal(node1.id, list.find((s) => s.patroniMember === 'db-node-1')!.id, 'the same server');
  });

  it('adds a member that joins and removes one that left, after it was marked', async () => {
    const three = reading(
      member('db-node-1', HOST_1, 'replica', 'streaming', 0),
      member('db-node-2', HOST_2, 'leader', 'running', null),
      member('db-node-3', HOST_3, 'replica', 'streaming', 0),
    );
    assert.deepEqual((await observe(1, clusterId, three)).added, ['db-node-3']);
    assert.deepEqual((await servers()).at(-1), ['orders/db-node-3', HOST_3, 1]);
    await b.sql('UPDATE pem.monitored_cluster SET member_grace_s = 0 WHERE id = $1', [clusterId]);
    const two = reading(three.members[0]!, three.members[1]!);
    assert.deepEqual((await observe(1, clusterId, two)).missing, ['db-node-3']);
    const marked = (await getCluster(b.admin, clusterId)).members.find((m) => m.member === 'db-node-3')!;
    assert.ok(marked.missingSince !== null, 'marked missing first');
    assert.deepEqual((await observe(1, clusterId, two)).removed, ['db-node-3']);
    assert.equal((await servers()).length, 2);
    assert.equal(
      Number(
        (await b.sql("SELECT count(*) AS n FROM pem.server WHERE display_name = 'orders/db-node-3'"))[0]!.n,
      ),
      0,
    );
  });

  it('records an answer for another scope, or no answer, as an error and changes nothing', async () => {
    const other = { ...reading(member('x', '127.0.23.99', 'leader', 'running', null)), scope: 'billing' };
    const r = await observe(1, clusterId, other);
    assert.match(String(r.error), /answered for Patroni scope billing, not orders/);
    assert.equal((await servers()).length, 2);
    await observe(1, clusterId, null, 'no REST endpoint of the cluster answered GET /cluster (...)');
    const c = await getCluster(b.admin, clusterId);
    assert.match(String(c.observed.error), /no REST endpoint/);
    assert.equal(c.observed.leader, 'db-node-2', 'the last good look is kept');
  });

  it('lets only the following agent report, as itself', async () => {
    await assert.rejects(observe(3, clusterId, reading()), /agent 3 does not follow cluster/);
    await assert.rejects(
      b.agentConn(3).query('SELECT pem.agent_cluster_observed(1, $1, NULL, NULL, $2)', [clusterId, 'x']),
      /the caller is not agent 1/,
    );
  });

  it('keeps a member to its cluster: not removed on its own, its host and port follow the cluster', async () => {
    const node2 = (await listServers(b.admin)).find((s) => s.patroniMember === 'db-node-2')!;
    await assert.rejects(removeServer(b.admin, 'alice', node2.id, false), (e: Error & { field?: string }) => {
      assert.match(e.message, /is member db-node-2 of the monitored Patroni cluster orders/);
      return true;
    });
    await assert.rejects(
      setServer(b.admin, 'alice', node2.id, { port: 5433 }),
      /port: server .* follow the member/,
    );
    await setServer(b.admin, 'alice', node2.id, { tags: ['prod', 'eu'] });
  });

  it('refuses bad input naming the field, writing nothing', async () => {
    const before = await b.sql(
      'SELECT (SELECT count(*) FROM pem.server) AS s, (SELECT count(*) FROM pem.monitored_cluster) AS c',
    );
    const two = reading(
      member('n1', '127.0.23.21', 'leader', 'running', null),
      member('n2', HOST_2, 'replica', 'streaming', 0),
    );
    const cases: [Parameters<typeof addCluster>[2], ClusterReading, string, RegExp][] = [
      [
        spec(),
        reading(member('a', '127.0.23.30', 'leader', 'running', null)),
        'name',
        /cluster \d+ is already called orders/,
      ],
      [spec({ name: 'bad name' }), two, 'name', /is not a cluster name/],
      [
        spec({ name: 'n', restEndpoints: ['ftp://x'] }),
        two,
        'restEndpoints',
        /is not the base URL of a Patroni REST API/,
      ],
      [spec({ name: 'n', agentId: 99 }), two, 'agentId', /there is no agent 99/],
      [spec({ name: 'n', restCafile: 'relative.crt' }), two, 'restCafile', /is not an absolute path/],
      [spec({ name: 'n' }), { ...two, members: [] }, 'restEndpoints', /answered no members/],
      // n2 is db-node-2's host:port, already monitored
      [
        spec({ name: 'n' }),
        two,
        'restEndpoints',
        /member n2 \(127\.0\.23\.12:5432\) of cluster n cannot be monitored: host: 127\.0\.23\.12:5432 is already monitored/,
      ],
    ];
    for (const [s, r, field, message] of cases) {
      await assert.rejects(addCluster(b.admin, 'alice', s, r), (e: Error & { field?: string }) => {
        assert.equal(e.field, field, e.message);
        assert.match(e.message, message);
        return true;
      });
    }
    assert.deepEqual(
      await b.sql(
        'SELECT (SELECT count(*) FROM pem.server) AS s, (SELECT count(*) FROM pem.monitored_cluster) AS c',
      ),
      before,
      'nothing written',
    );
  });

  it('removes the cluster with every member, leaving no row behind; a second removal names it', async () => {
    const ids = (await listServers(b.admin)).filter((s) => s.clusterId === clusterId).map((s) => s.id);
    const r = await removeCluster(b.admin, 'alice', clusterId, false);
    assert.deepEqual([r.cluster, r.servers.map((s) => s.id).sort()], ['orders', [...ids].sort()]);
    for (const t of [
      'pem.server WHERE id',
      'pem.server_binding WHERE server_id',
      'pem.alert WHERE server_id',
    ])
      assert.equal(Number((await b.sql(`SELECT count(*) AS n FROM ${t} = ANY ($1)`, [ids]))[0]!.n), 0, t);
    assert.deepEqual(await listClusters(b.admin), []);
    await assert.rejects(
      removeCluster(b.admin, 'alice', clusterId, false),
      /no cluster \d+ \(already removed\?\)/,
    );
  });
});
