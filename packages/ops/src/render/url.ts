/**
 * host:port and URL forms of an address (IPv6 in brackets).
 */
import { ipVersion } from '../topology/address.js';

/** `a.b.c.d:port` or `[x::y]:port`. */
export function hostPort(address: string, port: number): string {
  return ipVersion(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}
