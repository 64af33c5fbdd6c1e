/**
 * IP address and CIDR checks for topology validation and HBA rendering.
 */
import { isIP } from 'node:net';

/** 4 or 6 for a literal IPv4/IPv6 address (no brackets, no zone), 0 otherwise. */
export function ipVersion(address: string): 0 | 4 | 6 {
  return isIP(address) as 0 | 4 | 6;
}

/** The single-host CIDR of an address, as HBA rules write it: `a.b.c.d/32` or `x::y/128`. */
export function hostCidr(address: string): string {
  return `${address}/${ipVersion(address) === 6 ? 128 : 32}`;
}

/** True for a loopback address: 127.0.0.0/8 or ::1. */
export function isLoopbackAddress(address: string): boolean {
  const v = ipVersion(address);
  if (v === 4) return address.startsWith('127.');
  return v === 6 && addressBits(address, 6) === 1n;
}

/** Expands an IP address to its bits as a bigint (IPv4: 32 bits, IPv6: 128 bits). */
function addressBits(address: string, version: 4 | 6): bigint {
  if (version === 4) {
    return address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
  }
  let text = address;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail?.[1]) {
    const v4 = addressBits(v4Tail[1], 4);
    text = `${text.slice(0, -v4Tail[1].length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

/**
 * Checks a CIDR (`address/prefix`) as pg_hba.conf uses it. Returns null when
 * valid, otherwise the problem in words ("is not a CIDR ...", "has host bits
 * set; did you mean ...").
 */
export function cidrProblem(cidr: string): string | null {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  const version = match?.[1] ? ipVersion(match[1]) : 0;
  if (!match?.[1] || !match[2] || version === 0) return 'is not a CIDR (address/prefix length)';
  const width = version === 4 ? 32 : 128;
  const prefix = Number(match[2]);
  if (prefix > width) return `is not a CIDR: prefix length ${prefix} is over ${width}`;
  const bits = addressBits(match[1], version);
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((bits & hostMask) !== 0n) {
    const network = bits & ~hostMask & ((1n << BigInt(width)) - 1n);
    return `has host bits set; did you mean ${formatBits(network, version)}/${prefix}?`;
  }
  return null;
}

function formatBits(bits: bigint, version: 4 | 6): string {
  if (version === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((bits >> s) & 0xffn).toString()).join('.');
  }
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((bits >> s) & 0xffffn).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}
