/**
 * etcd's users, roles and permissions (RBAC) of a secured deployment (etcd
 * v3.5 docs, "Role-based access control"): what they are, as data the lab
 * applies through etcd's HTTP gateway, and as the `etcd-auth.sh` script the
 * plan gives the operator (etcdctl).
 */
import { findEtcdMember } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';
import { ETCD_CLIENT_PORT } from './etcd.js';
import {
  ETCD_PATRONI_USER,
  ETCD_ROOT_USER,
  etcdTlsFiles,
  type InfrastructureSecrets,
  patroniKeyPrefix,
} from './infrastructure.js';
import { shellQuote } from './shell.js';
import { hostPort } from './url.js';

/** One user of etcd's RBAC and its role; `prefix` = the key prefix the role may read and write (none for root). */
export interface EtcdUser {
  name: string;
  password: string;
  role: string;
  prefix?: string;
}

/**
 * The users, in the order they are created: `root` (role root: etcd needs it
 * before `auth enable`, and it administers users) and `patroni` (role
 * patroni: READWRITE on `/service/<cluster>/` and nothing else). Once auth
 * is enabled every other client certificate gets no key at all.
 */
export function etcdUsers(topo: Topology, secrets: Pick<InfrastructureSecrets, 'etcdRoot' | 'etcdPatroni'>) {
  const users: EtcdUser[] = [
    { name: ETCD_ROOT_USER, password: secrets.etcdRoot, role: 'root' },
    {
      name: ETCD_PATRONI_USER,
      password: secrets.etcdPatroni,
      role: ETCD_PATRONI_USER,
      prefix: patroniKeyPrefix(topo),
    },
  ];
  return users;
}

/**
 * The key range etcd's permission takes for a prefix: `[prefix, prefix
 * with its last byte + 1)` (what `etcdctl role grant-permission --prefix`
 * sends).
 */
export function prefixRangeEnd(prefix: string): Buffer {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i] = bytes[i]! + 1;
      return end;
    }
  }
  return Buffer.from([0]);
}

/**
 * `etcd-auth.sh` for `memberName` (the first member in a plan): run as root
 * on that member when every member reports healthy. It creates the users
 * of {@link etcdUsers} with etcdctl over the member's own client URL
 * (https://<its address>:2379, with the member's certificate), grants the
 * roles, and enables authentication. Idempotent: when root can already log
 * in, authentication is on and it only says so; a user or role that exists
 * is kept (a run cut short can be run again). Passwords reach etcdctl on
 * stdin (`--interactive=false`) or in its environment (ETCDCTL_USER),
 * never on a command line; the script itself holds them (plan mode 0700,
 * keep it like patroni.yml). Prints `etcd authentication enabled` or
 * `etcd authentication already enabled`.
 * @throws InputError when `memberName` is not an etcd member.
 */
export function etcdAuthScript(
  topo: Topology,
  memberName: string,
  secrets: Pick<InfrastructureSecrets, 'etcdRoot' | 'etcdPatroni'>,
): string {
  const me = findEtcdMember(topo, memberName);
  const tls = etcdTlsFiles(me.name);
  // The member's own address: it always listens there (not on localhost when the hosts share one loopback).
  const endpoint = `https://${hostPort(me.address, ETCD_CLIENT_PORT)}`;
  const users = etcdUsers(topo, secrets);
  const root = users.find((u) => u.role === 'root')!;
  const lines = [
    '#!/bin/sh',
    `# etcd users, roles and authentication (RBAC) of cluster ${topo.cluster}: run as root on ${me.name}`,
    '# when every member reports healthy (RUNBOOK.md step 1). Holds the etcd passwords: keep it mode 0700.',
    'set -eu',
    'etcdctl_member() {',
    `  etcdctl --endpoints=${endpoint} --cacert=${shellQuote(tls.ca)} --cert=${shellQuote(tls.cert)} --key=${shellQuote(tls.key)} "$@"`,
    '}',
    `if ETCDCTL_USER=${shellQuote(`${root.name}:${root.password}`)} etcdctl_member auth status 2>/dev/null | grep -q 'Authentication Status: true'; then`,
    "  echo 'etcd authentication already enabled'",
    '  exit 0',
    'fi',
  ];
  for (const u of users) {
    if (u.role !== 'root') {
      lines.push(
        `etcdctl_member role get ${shellQuote(u.role)} >/dev/null 2>&1 || etcdctl_member role add ${shellQuote(u.role)}`,
      );
      if (u.prefix !== undefined) {
        lines.push(
          `etcdctl_member role grant-permission ${shellQuote(u.role)} --prefix=true readwrite ${shellQuote(u.prefix)}`,
        );
      }
    }
    lines.push(
      `etcdctl_member user get ${shellQuote(u.name)} >/dev/null 2>&1 || printf '%s\\n' ${shellQuote(u.password)} | etcdctl_member user add ${shellQuote(u.name)} --interactive=false`,
      `etcdctl_member user grant-role ${shellQuote(u.name)} ${shellQuote(u.role)}`,
    );
  }
  lines.push('etcdctl_member auth enable', "echo 'etcd authentication enabled'");
  return `${lines.join('\n')}\n`;
}
