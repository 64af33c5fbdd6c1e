/**
 * Value rules of a topology: each returns one message per problem, naming the
 * field (`backends[1].address`) and the value. They read the raw, possibly
 * malformed data defensively, so a file with several kinds of problem gets
 * every problem reported at once, alongside the schema's.
 */
import { show } from '@pharos/core/settings';
import { cidrProblem, ipVersion } from './address.js';
import { type PathContext, pathProblem } from './paths.js';
import { ARCHITECTURES } from './types.js';

type Raw = Record<string, unknown>;

function obj(value: unknown): Raw | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : undefined;
}

const ROLES = ['etcd', 'backends', 'webapps'] as const;
type Role = (typeof ROLES)[number];

interface RawHost {
  field: string;
  role: Role;
  name?: string;
  address?: string;
}

function hostsOf(data: Raw, role: Role): RawHost[] {
  const list = data[role];
  if (!Array.isArray(list)) return [];
  return list.map((entry, i) => {
    const h = obj(entry);
    return {
      field: `${role}[${i}]`,
      role,
      name: typeof h?.name === 'string' ? h.name : undefined,
      address: typeof h?.address === 'string' ? h.address : undefined,
    };
  });
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const SCOPE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkArchitecture(data: Raw): string[] {
  const a = data.architecture;
  if (typeof a !== 'string') return [];
  if (!(ARCHITECTURES as readonly string[]).includes(a)) {
    return [`architecture: unknown value ${show(a)} (expected one of ${ARCHITECTURES.join(', ')})`];
  }
  if (a !== 'SM')
    return [
      `architecture: ${show(a)} is a known architecture but not supported yet (Pharos deploys SM only)`,
    ];
  return [];
}

function checkNames(data: Raw): string[] {
  const problems: string[] = [];
  if (typeof data.cluster === 'string' && !SCOPE.test(data.cluster)) {
    problems.push(
      `cluster: ${show(data.cluster)} is not a valid Patroni scope (letters, digits, '.', '_' and '-', at most 63 characters)`,
    );
  }
  const roleFields: [string, unknown][] = [
    ['pem.superuser', obj(data.pem)?.superuser],
    ['common_agent_user', data.common_agent_user],
  ];
  for (const [field, value] of roleFields) {
    if (typeof value === 'string' && !ROLE_NAME.test(value)) {
      problems.push(
        `${field}: ${show(value)} is not a plain PostgreSQL role name (lower-case letters, digits and '_', not starting with a digit, at most 63 characters)`,
      );
    }
  }
  return problems;
}

function checkPostgres(data: Raw, context: PathContext): string[] {
  const pg = obj(data.postgres);
  const problems: string[] = [];
  const version = pg?.version;
  if (Number.isInteger(version) && ((version as number) < 13 || (version as number) > 17)) {
    problems.push(`postgres.version: ${show(version)} is not a supported PostgreSQL major (13-17)`);
  }
  // bin_dir is always a real directory (the lab looks for the binaries there);
  // data_dir may be relative in the lab (under each host's lab directory).
  const paths: [string, boolean][] = [
    ['bin_dir', false],
    ['data_dir', context === 'lab'],
  ];
  for (const [key, relativeAllowed] of paths) {
    const value = pg?.[key];
    if (typeof value !== 'string') continue;
    const problem = pathProblem(value, relativeAllowed);
    if (problem) problems.push(`postgres.${key}: ${show(value)} ${problem}`);
  }
  return problems;
}

function checkCounts(data: Raw): string[] {
  const problems: string[] = [];
  if (Array.isArray(data.etcd)) {
    const n = data.etcd.length;
    if (n < 3 || n % 2 === 0) {
      problems.push(
        `etcd: ${n} member${n === 1 ? '' : 's'}; etcd needs an odd number of members, at least 3`,
      );
    }
  }
  if (Array.isArray(data.backends) && data.backends.length < 2) {
    const n = data.backends.length;
    problems.push(
      `backends: ${n} backend${n === 1 ? '' : 's'}; at least 2 are needed (a primary and a standby)`,
    );
  }
  return problems;
}

function checkHostValues(hosts: RawHost[]): string[] {
  const problems: string[] = [];
  for (const h of hosts) {
    if (h.name !== undefined) {
      if (!HOST_NAME.test(h.name)) {
        problems.push(
          `${h.field}.name: ${show(h.name)} is not a valid host name (letters, digits and '-', 1-63 characters, not starting or ending with '-')`,
        );
      } else if (h.name === 'ca') {
        problems.push(`${h.field}.name: 'ca' is reserved (the plan writes the CA to DIR/ca/)`);
      }
    }
    if (h.address !== undefined) {
      if (ipVersion(h.address) === 0)
        problems.push(`${h.field}.address: ${show(h.address)} is not an IP address`);
      else if (h.address === '0.0.0.0' || h.address === '::') {
        problems.push(`${h.field}.address: ${show(h.address)} is not a host address`);
      }
    }
  }
  return problems;
}

/** Duplicates inside one role, and a name or an address used with two different partners across roles. */
function checkDuplicates(hosts: RawHost[], architecture: unknown): string[] {
  const problems: string[] = [];
  const byName = new Map<string, RawHost>();
  const byAddress = new Map<string, RawHost>();
  for (const h of hosts) {
    if (h.name !== undefined) {
      const first = byName.get(h.name);
      if (!first) byName.set(h.name, h);
      else if (first.role === h.role) {
        problems.push(`${h.field}.name: duplicate name ${show(h.name)} (also ${first.field}.name)`);
      } else if (h.address !== undefined && first.address !== undefined && first.address !== h.address) {
        problems.push(
          `${h.field}.name: ${show(h.name)} is also ${first.field}.name with another address (${show(first.address)}); one host name, one address`,
        );
      }
    }
    if (h.address !== undefined && ipVersion(h.address) !== 0) {
      const first = byAddress.get(h.address);
      if (!first) byAddress.set(h.address, h);
      else if (first.role === h.role) {
        problems.push(
          `${h.field}.address: duplicate address ${show(h.address)} (also ${first.field}.address)`,
        );
      } else if (architecture === 'SM' && first.role === 'backends' && h.role === 'webapps') {
        problems.push(
          `${h.field}.address: ${show(h.address)} is the address of ${first.field}; in SM the web applications run on hosts of their own`,
        );
      } else if (h.name !== undefined && first.name !== undefined && first.name !== h.name) {
        problems.push(
          `${h.field}.address: ${show(h.address)} is also ${first.field}.address under another name (${show(first.name)}); one address, one host name`,
        );
      }
    }
  }
  return problems;
}

function checkNetworks(data: Raw): string[] {
  const nets = data.monitored_networks;
  if (!Array.isArray(nets)) return [];
  const problems: string[] = [];
  nets.forEach((net, i) => {
    if (typeof net !== 'string') return;
    const problem = cidrProblem(net);
    if (problem) problems.push(`monitored_networks[${i}]: ${show(net)} ${problem}`);
  });
  return problems;
}

/** Patroni's rule for its timings: loop_wait + 2 × retry_timeout <= ttl (Patroni docs, dynamic configuration). */
function checkPatroniTimings(data: Raw): string[] {
  const p = obj(data.patroni);
  if (!p) return [];
  const ttl = p.ttl ?? 30;
  const loop = p.loop_wait ?? 10;
  const retry = p.retry_timeout ?? 10;
  if (![ttl, loop, retry].every(Number.isInteger)) return [];
  const [t, l, r] = [ttl, loop, retry] as number[] as [number, number, number];
  if (l + 2 * r <= t) return [];
  return [
    `patroni.ttl: ${t} is less than loop_wait + 2 × retry_timeout (${l} + 2 × ${r} = ${l + 2 * r}); Patroni needs ttl >= loop_wait + 2 × retry_timeout`,
  ];
}

/**
 * Every value-rule problem of raw topology data, in file order of concern
 * (architecture, names, postgres, counts, hosts, duplicates, networks,
 * Patroni). Empty when the values are fine. Structure and types are the
 * schema's job (schema.ts). `context` 'lab' admits a relative
 * `postgres.data_dir` (paths.ts).
 */
export function valueProblems(data: unknown, context: PathContext = 'deployment'): string[] {
  const d = obj(data);
  if (!d) return [];
  const hosts = ROLES.flatMap((role) => hostsOf(d, role));
  return [
    ...checkArchitecture(d),
    ...checkNames(d),
    ...checkPostgres(d, context),
    ...checkCounts(d),
    ...checkHostValues(hosts),
    ...checkDuplicates(hosts, d.architecture),
    ...checkNetworks(d),
    ...checkPatroniTimings(d),
  ];
}
