/**
 * One canonical text form for an HBA rule, whether it comes from a
 * `pg_hba` list (Patroni's dynamic configuration, the plan) or from a row
 * of the `pg_hba_file_rules` view, so the two can be compared. Facts:
 * PostgreSQL docs §21.1 "The pg_hba.conf File" (record formats, CIDR or
 * address + mask, `cert` implies `clientcert=verify-full`) and §54.9
 * "pg_hba_file_rules" (columns type, database[], user_name[], address,
 * netmask, auth_method, options[], error).
 *
 * Canonical form: `type database user [address/prefix] method [options]`,
 * single spaces, list items joined by commas, IPv6 addresses compressed
 * and lower case, the implied `clientcert=verify-full` of `cert` dropped.
 */
import { isIP } from 'node:net';

/** A row of pg_hba_file_rules (the columns every PostgreSQL 13-17 has). */
export interface HbaFileRuleRow {
  line_number: number | null;
  type: string | null;
  database: string[] | null;
  user_name: string[] | null;
  address: string | null;
  netmask: string | null;
  auth_method: string | null;
  options: string[] | null;
  error: string | null;
}

/** True for a comment or blank entry of a pg_hba list. */
export function isHbaComment(entry: string): boolean {
  const t = entry.trim();
  return t === '' || t.startsWith('#');
}

function canonicalAddress(address: string): string {
  return isIP(address) === 6 ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

/** Prefix length of a netmask (255.255.255.0 -> 24, ffff:ffff:: -> 32); undefined when not contiguous. */
export function prefixLength(netmask: string): number | undefined {
  let bits = '';
  if (isIP(netmask) === 4) {
    bits = netmask
      .split('.')
      .map((o) => Number(o).toString(2).padStart(8, '0'))
      .join('');
  } else if (isIP(netmask) === 6) {
    const full = new URL(`http://[${netmask}]/`).hostname.slice(1, -1);
    const [head = '', tail] = full.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = tail === undefined || tail === '' ? [] : tail.split(':');
    const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
    bits = groups.map((g) => Number.parseInt(g, 16).toString(2).padStart(16, '0')).join('');
  } else {
    return undefined;
  }
  const n = bits.indexOf('0') === -1 ? bits.length : bits.indexOf('0');
  return bits.slice(n).includes('1') ? undefined : n;
}

function withoutImpliedOptions(method: string, options: string[]): string[] {
  return method === 'cert' ? options.filter((o) => o !== 'clientcert=verify-full') : options;
}

function join(
  type: string,
  database: string,
  user: string,
  address: string | undefined,
  method: string,
  options: string[],
): string {
  return [
    type,
    database,
    user,
    ...(address === undefined ? [] : [address]),
    method,
    ...withoutImpliedOptions(method, options),
  ].join(' ');
}

/**
 * The canonical form of a pg_hba list entry (`hostssl pem +pem_user
 * 10.0.0.0/8 scram-sha-256`), or undefined for a comment or blank entry.
 * An entry that does not look like a rule is returned with its whitespace
 * collapsed (it then differs from every row).
 */
export function canonicalHbaEntry(entry: string): string | undefined {
  if (isHbaComment(entry)) return undefined;
  const words = entry.trim().split(/\s+/);
  const [type, database, user] = words;
  if (type === undefined || database === undefined || user === undefined) return words.join(' ');
  if (type === 'local') {
    const [method, ...options] = words.slice(3);
    return method === undefined ? words.join(' ') : join(type, database, user, undefined, method, options);
  }
  let rest = words.slice(3);
  let address = rest[0];
  if (address === undefined) return words.join(' ');
  rest = rest.slice(1);
  const slash = address.indexOf('/');
  if (slash !== -1) {
    address = `${canonicalAddress(address.slice(0, slash))}/${address.slice(slash + 1)}`;
  } else if (isIP(address) !== 0 && rest[0] !== undefined && isIP(rest[0]) !== 0) {
    const prefix = prefixLength(rest[0]);
    address = `${canonicalAddress(address)}/${prefix ?? rest[0]}`;
    rest = rest.slice(1);
  }
  const [method, ...options] = rest;
  return method === undefined ? words.join(' ') : join(type, database, user, address, method, options);
}

/**
 * The canonical form of a pg_hba_file_rules row. A row with `error` set
 * has no usable fields: the form is `error: <text>`.
 */
export function canonicalHbaRow(row: HbaFileRuleRow): string {
  if (row.error) return `error: ${row.error}`;
  let address: string | undefined;
  if (row.type !== 'local' && row.address !== null) {
    const prefix = row.netmask === null ? undefined : prefixLength(row.netmask);
    address =
      row.netmask === null ? row.address : `${canonicalAddress(row.address)}/${prefix ?? row.netmask}`;
  }
  return join(
    row.type ?? '?',
    (row.database ?? []).join(','),
    (row.user_name ?? []).join(','),
    address,
    row.auth_method ?? '?',
    row.options ?? [],
  );
}
