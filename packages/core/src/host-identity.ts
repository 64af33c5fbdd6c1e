/**
 * A host's identity when several hosts share one machine (the lab): the
 * address that stands for "this host". On a real host, `127.0.0.1` in a
 * host list (the reference's way to name the local node) reaches the local
 * server from 127.0.0.1. In the lab every host is a loopback address of the
 * same machine, so for a process that runs "on" host H:
 *
 * - a local name (127.0.0.1, localhost, ::1) in a host list is dialled at H's
 *   address, through libpq's own `hostaddr` (the name stays `host`, so TLS
 *   verify-full and .pgpass still see 127.0.0.1, as on a real host); a
 *   connection whose hosts are all local names comes from the loopback
 *   address ({@link loopbackSourceFor}), as a local connection does on a real
 *   host, so that HBA rules for 127.0.0.1 (the reference's `--asb-host-name
 *   127.0.0.1` monitoring binding) decide;
 * - connections to other hosts bind their source address to H's address, so
 *   the per-address HBA rules decide as on separate machines.
 *
 * Source: libpq-connect.html §34.1.2 `hostaddr` ("If host is specified in
 * addition to hostaddr, host is used ... for TLS and password file lookup").
 */
import type { ConnInfo } from './conninfo/types.js';

/** Host names that mean "this host". */
export const LOCAL_HOST_NAMES: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1']);

/** True when `host` names the local host. */
export function isLocalHostName(host: string): boolean {
  return LOCAL_HOST_NAMES.has(host);
}

/**
 * Returns a copy of `ci` in which every host entry with a local name and no
 * `hostaddr` gets `hostaddr = hostAddress`. `ci` is not modified.
 */
export function mapLocalHosts(ci: ConnInfo, hostAddress: string): ConnInfo {
  return {
    ...ci,
    hosts: ci.hosts.map((h) =>
      isLocalHostName(h.host) && !h.hostaddr ? { ...h, hostaddr: hostAddress } : h,
    ),
  };
}

/** True when every host of `ci` is a local name (a connection to "the local server"). */
export function isLocalOnly(ci: ConnInfo): boolean {
  return ci.hosts.every((h) => isLocalHostName(h.host));
}

/**
 * The source address of a connection to the local server dialled at
 * `hostAddress`: 127.0.0.1 for an IPv4 address, ::1 for IPv6 (on a real host
 * a connection to 127.0.0.1 comes from 127.0.0.1).
 */
export function loopbackSourceFor(hostAddress: string): string {
  return hostAddress.includes(':') ? '::1' : '127.0.0.1';
}
