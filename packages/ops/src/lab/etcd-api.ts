/**
 * etcd calls of the lab, its tests and the fault suite, through etcd's
 * HTTP/JSON gateway (etcd v3.5 docs, "gRPC gateway": GET /health, POST
 * /v3/auth/*, POST /v3/kv/range; keys and values base64): health, the
 * users and roles of a secured deployment (render/etcd-auth.ts), and
 * reading a key as a user.
 */
import { etcdUsers, prefixRangeEnd } from '../render/etcd-auth.js';
import type { InfrastructureSecrets } from '../render/infrastructure.js';
import type { Topology } from '../topology/types.js';
import { type Credentials, type EtcdAccess, etcdUrl, tlsOptions } from './access.js';
import { requestJson } from './http.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** True when the member at `address` answers GET /health with `{"health":"true"}`. Rejects on transport errors. */
export async function etcdHealthy(address: string, access: EtcdAccess, timeoutMs = 2000): Promise<boolean> {
  const r = await requestJson<{ health?: string }>(etcdUrl(address, access, '/health'), {
    timeoutMs,
    ...tlsOptions(access),
  });
  return r.status === 200 && r.body?.health === 'true';
}

/** POSTs `body` to a gateway path; resolves the JSON answer, rejects (naming the path and etcd's message) unless 200. */
async function post<T>(
  address: string,
  access: EtcdAccess,
  path: string,
  body: unknown,
  token?: string,
): Promise<T> {
  const r = await requestJson<T & { message?: string; error?: string }>(etcdUrl(address, access, path), {
    method: 'POST',
    body,
    timeoutMs: 5000,
    ...tlsOptions(access),
    ...(token ? { headers: { authorization: token } } : {}),
  });
  if (r.status !== 200) {
    const why = r.body?.message ?? r.body?.error ?? JSON.stringify(r.body);
    throw new Error(`etcd ${path} on ${address} answered ${r.status}: ${why}`);
  }
  return r.body;
}

/** A token for `user` (POST /v3/auth/authenticate). Rejects when the credentials are refused. */
export async function etcdToken(address: string, access: EtcdAccess, user: Credentials): Promise<string> {
  const r = await post<{ token?: string }>(address, access, '/v3/auth/authenticate', {
    name: user.username,
    password: user.password,
  });
  if (!r.token) throw new Error(`etcd on ${address} gave no token for ${user.username}`);
  return r.token;
}

/**
 * Creates the users and roles of {@link etcdUsers} and enables
 * authentication, through the member at `address` (the gateway's form of
 * what etcd-auth.sh does with etcdctl). Idempotent: when the root user can
 * already authenticate, authentication is on and nothing is done.
 */
export async function setUpEtcdAuth(
  topo: Topology,
  address: string,
  access: EtcdAccess,
  secrets: Pick<InfrastructureSecrets, 'etcdRoot' | 'etcdPatroni'>,
): Promise<'enabled' | 'already enabled'> {
  const users = etcdUsers(topo, secrets);
  const root = users.find((u) => u.role === 'root')!;
  try {
    await etcdToken(address, access, { username: root.name, password: root.password });
    return 'already enabled';
  } catch {
    /* authentication is not enabled yet: set it up */
  }
  for (const u of users) {
    if (u.role !== 'root') {
      await post(address, access, '/v3/auth/role/add', { name: u.role });
      if (u.prefix !== undefined) {
        await post(address, access, '/v3/auth/role/grant', {
          name: u.role,
          perm: { permType: 'READWRITE', key: b64(u.prefix), range_end: b64(prefixRangeEnd(u.prefix)) },
        });
      }
    }
    await post(address, access, '/v3/auth/user/add', { name: u.name, password: u.password });
    await post(address, access, '/v3/auth/user/grant', { user: u.name, role: u.role });
  }
  await post(address, access, '/v3/auth/enable', {});
  return 'enabled';
}

/**
 * The value of `key` (undefined when absent), read from the member at
 * `address`; as `access.user` when one is given (authentication on).
 */
export async function etcdGet(address: string, access: EtcdAccess, key: string): Promise<string | undefined> {
  const token = access.user ? await etcdToken(address, access, access.user) : undefined;
  const r = await post<{ kvs?: { value?: string }[] }>(
    address,
    access,
    '/v3/kv/range',
    { key: b64(key) },
    token,
  );
  const value = r.kvs?.[0]?.value;
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/**
 * Adds `user` and its role, READWRITE on `user.prefix` only, once
 * authentication is on, as `access.user` (etcd's root): what `etcdctl role
 * add`, `role grant-permission --prefix`, `user add` and `user grant-role`
 * do. For a cluster that shares the lab's etcd under its own scope (the
 * fleet's Patroni cluster, lab/fleet/), so it can neither read nor change
 * another cluster's keys. Idempotent: an existing role is kept (the grant is
 * repeated), an existing user gets `user.password` (POST
 * /v3/auth/user/changepw); granting a role a user has is a no-op in etcd.
 * @throws Error when `access.user` is missing or etcd refuses a call.
 */
export async function addEtcdUser(
  address: string,
  access: EtcdAccess,
  user: { name: string; password: string; role: string; prefix: string },
): Promise<void> {
  if (!access.user) throw new Error('adding an etcd user needs the root user (access.user)');
  const token = await etcdToken(address, access, access.user);
  const exists = (err: unknown) => /already exist/i.test((err as Error).message);
  await post(address, access, '/v3/auth/role/add', { name: user.role }, token).catch((err) => {
    if (!exists(err)) throw err;
  });
  await post(
    address,
    access,
    '/v3/auth/role/grant',
    {
      name: user.role,
      perm: { permType: 'READWRITE', key: b64(user.prefix), range_end: b64(prefixRangeEnd(user.prefix)) },
    },
    token,
  );
  await post(address, access, '/v3/auth/user/add', { name: user.name, password: user.password }, token).catch(
    async (err) => {
      if (!exists(err)) throw err;
      await post(
        address,
        access,
        '/v3/auth/user/changepw',
        { name: user.name, password: user.password },
        token,
      );
    },
  );
  await post(address, access, '/v3/auth/user/grant', { user: user.name, role: user.role }, token);
}
