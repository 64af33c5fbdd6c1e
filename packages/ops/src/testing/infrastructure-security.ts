/**
 * The security suite of a secured lab's etcd and Patroni REST API (issue
 * 16 H2 acceptance): what an attacker without credentials gets, and that
 * with them everything works. Each function asserts; the lab test
 * (lab.int.test.ts) runs them against its lab, so no second lab is needed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type EtcdAccess, etcdUrl, type PatroniAccess, patroniUrl } from '../lab/access.js';
import { etcdGet, etcdToken } from '../lab/etcd-api.js';
import { requestJson } from '../lab/http.js';
import { prefixRangeEnd } from '../render/etcd-auth.js';
import { patroniKeyPrefix } from '../render/infrastructure.js';
import type { Topology } from '../topology/types.js';

const run = promisify(execFile);
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Resolves the error message of a request that must fail at the transport (never an HTTP answer). */
async function transportError(p: Promise<{ status: number }>): Promise<string> {
  try {
    const r = await p;
    return `answered HTTP ${r.status}`;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A Patroni cluster to check: a member's REST address, every member's name, its DCS ttl. */
export interface RestTarget {
  address: string;
  members: string[];
  ttl: number;
}

/**
 * Patroni's REST API: every unsafe method (POST, PUT, PATCH, DELETE)
 * without credentials, or with a wrong password, answers 401 before any
 * validation; GETs answer over https verified against the lab's CA; plain
 * HTTP gets no answer; with the password PATCH /config works. `target`:
 * the cluster asked (default the PEM backends' cluster of `topo`; the
 * lab's fleet cluster has its own, with its own `access`).
 */
export async function assertPatroniRestSecured(
  topo: Topology,
  access: PatroniAccess,
  target: RestTarget = {
    address: topo.backends[0]!.address,
    members: topo.backends.map((b) => b.name),
    ttl: topo.patroni.ttl,
  },
): Promise<void> {
  assert.ok(access.ca && access.auth, 'a secured lab has a CA and REST API credentials');
  const address = target.address;
  const url = (path: string) => patroniUrl(address, access, path);
  const unsafe: [string, string, unknown][] = [
    ['POST', '/switchover', {}],
    ['POST', '/failover', { candidate: target.members[1]! }],
    ['POST', '/restart', {}],
    ['POST', '/reload', undefined],
    ['POST', '/reinitialize', {}],
    ['PATCH', '/config', { ttl: 31 }],
    ['PUT', '/config', {}],
    ['DELETE', '/switchover', undefined],
  ];
  const wrong = { username: access.auth.username, password: `${access.auth.password}x` };
  for (const [method, path, body] of unsafe) {
    for (const auth of [undefined, wrong]) {
      const r: { status: number } = await requestJson(url(path), {
        method,
        body,
        ca: access.ca,
        auth,
        timeoutMs: 5000,
      });
      assert.equal(
        r.status,
        401,
        `${method} ${path} ${auth ? 'with a wrong password' : 'without credentials'}`,
      );
    }
  }
  const get = await requestJson<{ members?: unknown[] }>(url('/cluster'), { ca: access.ca, timeoutMs: 5000 });
  assert.equal(get.status, 200, 'GET /cluster over https, no credentials');
  assert.equal(get.body.members?.length, target.members.length);
  const plain = await transportError(
    requestJson(`http://${address}:${access.port}/cluster`, { timeoutMs: 3000 }),
  );
  assert.doesNotMatch(plain, /^answered HTTP 2/, `plain HTTP on the REST port: ${plain}`);
  const patch = await requestJson(url('/config'), {
    method: 'PATCH',
    body: { ttl: target.ttl }, // the value it has: a real write that changes nothing
    ca: access.ca,
    auth: access.auth,
    timeoutMs: 10_000,
  });
  assert.equal(patch.status, 200, 'PATCH /config with the password');
}

/**
 * etcd: without a client certificate the TLS handshake fails (etcd asks
 * for one and refuses the connection), and plain HTTP gets nothing; a
 * client certificate alone (no user) reads health but no key; an agent's
 * certificate (a CN, from the same CA) gets nothing from the gateway; the
 * patroni user writes only under `/service/<cluster>/`; root reads the
 * leader key, which names the current leader.
 */
export async function assertEtcdSecured(
  topo: Topology,
  access: EtcdAccess,
  agentCert: { cert: string; key: string },
  patroniPassword: string,
  leader: string,
): Promise<void> {
  assert.ok(access.ca && access.cert && access.key && access.user, 'a secured lab has etcd credentials');
  const address = topo.etcd[0]!.address;
  const url = (path: string) => etcdUrl(address, access, path);
  const noCert = await transportError(requestJson(url('/health'), { ca: access.ca, timeoutMs: 3000 }));
  assert.match(noCert, /certificate required|handshake|bad certificate|socket hang up|ECONNRESET/i, noCert);
  const plain = await transportError(requestJson(`http://${address}:2379/health`, { timeoutMs: 3000 }));
  assert.doesNotMatch(plain, /^answered HTTP 2/, `plain HTTP on the client port: ${plain}`);
  const tls = { ca: access.ca, cert: access.cert, key: access.key };
  const health = await requestJson<{ health?: string }>(url('/health'), { ...tls, timeoutMs: 3000 });
  assert.equal(health.body.health, 'true', 'health with a client certificate');
  const range = { method: 'POST', body: { key: b64(patroniKeyPrefix(topo)), range_end: b64('\0') } };
  const anonymous = await requestJson<{ message?: string }>(url('/v3/kv/range'), { ...tls, ...range });
  assert.notEqual(anonymous.status, 200, 'keys without a user');
  assert.match(anonymous.body.message ?? '', /user name is empty/);
  const asAgent = await requestJson(url('/v3/kv/range'), { ...tls, ...agentCert, ...range });
  assert.notEqual(asAgent.status, 200, "keys with an agent's certificate");
  const token = await etcdToken(address, access, { username: 'patroni', password: patroniPassword });
  const put = (key: string) =>
    requestJson<{ message?: string }>(url('/v3/kv/put'), {
      ...tls,
      method: 'POST',
      body: { key: b64(key), value: b64('x') },
      headers: { authorization: token },
    });
  const outside = await put('/service/another-cluster/x');
  assert.notEqual(outside.status, 200, 'the patroni user outside its prefix');
  assert.match(outside.body.message ?? '', /permission denied/);
  assert.equal((await put(`${patroniKeyPrefix(topo)}security-test`)).status, 200, 'inside its prefix');
  assert.equal(await etcdGet(address, access, `${patroniKeyPrefix(topo)}leader`), leader);
}

/**
 * Two Patroni clusters on one etcd, each with its own etcd user (the lab's
 * PEM cluster and its fleet's cluster, lab/fleet/start.ts): each user reads
 * and writes its own `/service/<scope>/` and is refused (permission denied)
 * reading or writing the other's; each cluster's leader key names its
 * leader. `access` carries the etcd client certificate.
 */
export async function assertEtcdClustersIsolated(
  topo: Topology,
  access: EtcdAccess,
  clusters: [IsolatedCluster, IsolatedCluster],
): Promise<void> {
  assert.ok(access.ca && access.cert && access.key, 'a secured lab has etcd credentials');
  const address = topo.etcd[0]!.address;
  const tls = { ca: access.ca, cert: access.cert, key: access.key };
  const call = (path: string, token: string, body: unknown) =>
    requestJson<{ message?: string; kvs?: { value?: string }[] }>(etcdUrl(address, access, path), {
      ...tls,
      method: 'POST',
      body,
      headers: { authorization: token },
      timeoutMs: 5000,
    });
  for (const [me, other] of [clusters, [clusters[1], clusters[0]]] as const) {
    const token = await etcdToken(address, access, me.user);
    const leader = await call('/v3/kv/range', token, { key: b64(`${me.prefix}leader`) });
    assert.equal(leader.status, 200, `${me.user.username} reads ${me.prefix}leader`);
    const value = leader.body.kvs?.[0]?.value;
    assert.equal(value && Buffer.from(value, 'base64').toString('utf8'), me.leader);
    const read = await call('/v3/kv/range', token, {
      key: b64(other.prefix),
      range_end: prefixRangeEnd(other.prefix).toString('base64'),
    });
    assert.notEqual(read.status, 200, `${me.user.username} reads ${other.prefix}`);
    assert.match(read.body.message ?? '', /permission denied/);
    const write = await call('/v3/kv/put', token, { key: b64(`${other.prefix}leader`), value: b64('x') });
    assert.notEqual(write.status, 200, `${me.user.username} writes ${other.prefix}leader`);
    assert.match(write.body.message ?? '', /permission denied/);
  }
}

/** One cluster of {@link assertEtcdClustersIsolated}: its etcd user, key prefix and leader's name. */
export interface IsolatedCluster {
  user: { username: string; password: string };
  prefix: string;
  leader: string;
}

/** patronictl works through the `ctl` section and the secured etcd (as the lab's Patroni configuration). */
export async function assertPatronictlWorks(labDir: string, topo: Topology): Promise<void> {
  const yml = join(labDir, topo.backends[0]!.name, 'patroni.yml');
  assert.match(readFileSync(yml, 'utf8'), /^ctl:$/m);
  const { stdout } = await run('patronictl', ['-c', yml, 'list', '--format', 'json'], { timeout: 30_000 });
  const members = JSON.parse(stdout) as { Member: string; Role: string }[];
  assert.deepEqual(members.map((m) => m.Member).sort(), topo.backends.map((b) => b.name).sort());
}
