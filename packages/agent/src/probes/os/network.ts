/**
 * `network` probe: traffic per network interface (docs/reference/metrics.md family 17;
 * docs/reference/pem-facts.md §4 "network statistics").
 *
 * Source: proc(5) /proc/net/dev: per interface, receive then transmit
 * columns: bytes, packets, errs, drop, fifo, frame/colls, compressed,
 * multicast/carrier. Counters since the interface came up (raw; they reset
 * when it is re-created). Object = interface name.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { counter, text } from '../columns.js';
import type { Probe, ProbeRow } from '../types.js';

/** Parses /proc/net/dev into one row per interface. */
export function parseNetDev(text: string): ProbeRow[] {
  const out: ProbeRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    if (f.length < 16 || f.some((x) => !Number.isFinite(x))) continue;
    out.push({
      interface: m[1]!,
      rx_bytes: f[0]!,
      rx_packets: f[1]!,
      rx_errors: f[2]!,
      rx_dropped: f[3]!,
      tx_bytes: f[8]!,
      tx_packets: f[9]!,
      tx_errors: f[10]!,
      tx_dropped: f[11]!,
    });
  }
  return out;
}

/** The `network` probe: one row per interface. */
export const networkProbe: Probe = {
  name: 'network',
  level: 'agent',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 2000,
  description: 'Bytes, packets, errors and drops received and sent per interface (/proc/net/dev)',
  objectColumn: 'interface',
  columns: [
    text('interface'),
    counter('rx_bytes', 'bytes'),
    counter('rx_packets'),
    counter('rx_errors'),
    counter('rx_dropped'),
    counter('tx_bytes', 'bytes'),
    counter('tx_packets'),
    counter('tx_errors'),
    counter('tx_dropped'),
  ],
  collector: (ctx) => async () => parseNetDev(await readFile(join(ctx.procRoot, 'net', 'dev'), 'utf8')),
};
