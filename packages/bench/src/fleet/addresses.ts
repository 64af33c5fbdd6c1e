/**
 * The fleet benchmark's loopback addresses (127.0.64.X upwards, used by no
 * test or lab): the pem backend, the web instance, the harness and the
 * agents' hosts on 127.0.64.X; one address per monitored server from
 * 127.0.65.1 on (200 per /24: 600 servers on 127.0.65-67). A PostgreSQL server listens on at most 64 sockets
 * (MAXLISTEN in src/backend/postmaster/postmaster.c, Unix socket included),
 * and the fleet refuses a second server at the same host:port
 * (pem.check_server), so each monitored instance serves
 * {@link ADDRESSES_PER_INSTANCE} servers' addresses.
 */

/** Addresses of the backend, the web instance and the harness. */
export const BACKEND = '127.0.64.1';
export const WEB = '127.0.64.2';
export const HARNESS = '127.0.64.3';

/** Monitored-server addresses one PostgreSQL instance listens on (below MAXLISTEN 64, with its Unix socket). */
export const ADDRESSES_PER_INSTANCE = 60;

/** The address of agent host `i` (0-based, at most 200 agents). */
export function agentAddress(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= 200) throw new RangeError(`agent index ${i}: 0-199`);
  return `127.0.64.${i + 11}`;
}

/** The address of monitored server `k` (0-based): 127.0.65.1, 127.0.65.2, ... 200 per /24. */
export function serverAddress(k: number): string {
  if (!Number.isInteger(k) || k < 0 || k >= 200 * 150) throw new RangeError(`server index ${k}: 0-29999`);
  return `127.0.${65 + Math.floor(k / 200)}.${(k % 200) + 1}`;
}
