/**
 * The timeline of one fault run (gap-trace.ts) from what the failover
 * benchmark's writers recorded: the cluster's own writers per backend, the
 * Pharos writer (its HaConnection trace and failed writes), psql (failed
 * invocations and libpq's messages), and the fault's marks.
 */
import type { HaTraceEvent } from '@pharos/core/ha/trace';
import type { FaultTimeline } from '@pharos/suites/faults/fault-lab';
import type { WriteGap } from '@pharos/suites/faults/gap';
import type { ShipBatchTime } from '@pharos/suites/faults/ship-gap';
import { ackEdges, formatTimeline, rel, type TraceLine } from './gap-trace.js';
import type { RemotePerHost, RemoteWriter } from './remote-writer.js';

/** What {@link runTimeline} needs: the run's timeline, the gaps and the writers (each in its own process, remote-writer.ts). */
export interface RunRecords {
  t: FaultTimeline;
  backendGap: WriteGap | undefined;
  pharosGap: WriteGap;
  psqlGap: WriteGap;
  perHost: RemotePerHost;
  pharos: RemoteWriter;
  /** The second Pharos writer (default options) and its gap. */
  pharosDefault: RemoteWriter;
  pharosDefaultGap: WriteGap;
  /** When the benchmark process's event loop ran late, and by how much (ms). */
  lags: readonly { atMs: number; lateMs: number }[];
  psql: RemoteWriter;
  /** The agents' stored batches around the run (pem.ship_batch.received_at) and the ship gap over them. */
  shipBatches: readonly ShipBatchTime[];
  shipGap: WriteGap;
}

/** One HaConnection trace event as a line of text. */
export function describeEvent(e: HaTraceEvent): string {
  const facts = (x: { inRecovery?: boolean; readOnly?: boolean; code?: string; error?: string }) =>
    x.error !== undefined
      ? `failed${x.code ? ` ${x.code}` : ''}: ${x.error}`
      : `${x.inRecovery ? 'in recovery' : 'not in recovery'}, transaction_read_only=${x.readOnly ? 'on' : 'off'}`;
  switch (e.kind) {
    case 'attempt':
      return `attempt on ${e.host} started, took ${e.ms} ms${e.connectMs !== undefined ? ` (session open after ${e.connectMs} ms)` : ''}: ${facts(e)}`;
    case 'recheck':
      return `re-check of the open session on ${e.host} started, took ${e.ms} ms: ${facts(e)}`;
    case 'drop':
      return `session on ${e.host} dropped: ${e.reason}`;
    case 'select':
      return e.host !== undefined
        ? `selection started, chose ${e.host} after ${e.ms} ms`
        : `selection started, failed after ${e.ms} ms: ${e.error}`;
  }
}

/** The run's timeline as text: a header with the gaps, then every event from 0.5 s before the earliest gap to 0.5 s after the latest. */
export function runTimeline(r: RunRecords): string {
  const o = r.t.startedMs;
  const gaps = [r.backendGap, r.pharosGap, r.pharosDefaultGap, r.psqlGap, r.shipGap].filter(
    (g): g is WriteGap => g !== undefined,
  );
  const from = Math.min(...gaps.map((g) => g.fromMs)) - 500;
  const to = Math.max(...gaps.map((g) => g.toMs)) + 500;
  const lines: TraceLine[] = [];
  for (const [name, ms] of Object.entries(r.t.marks)) lines.push({ atMs: o + ms, who: 'fault', what: name });
  const lagLines = (who: string, lags: readonly { atMs: number; lateMs: number }[]) => {
    for (const l of lags) lines.push({ atMs: l.atMs, who, what: `event loop ran ${l.lateMs} ms late` });
  };
  for (const [address, h] of r.perHost.byHost) {
    const who = `own ${address}`;
    if (r.backendGap) lines.push(...ackEdges(who, h.acks, r.backendGap.fromMs + 1, r.backendGap.toMs));
    for (const f of h.failures) lines.push({ atMs: f.atMs, who, what: `call failed: ${f.error}` });
    lagLines(who, h.lags);
  }
  lines.push(...ackEdges('pharos', r.pharos.acks, r.pharosGap.fromMs + 1, r.pharosGap.toMs));
  for (const f of r.pharos.failures)
    lines.push({
      atMs: f.atMs,
      who: 'pharos',
      what: `write failed (started ${rel(f.startedMs, o)})${f.code ? ` ${f.code}` : ''}: ${f.error}`,
    });
  for (const e of r.pharos.events) lines.push({ atMs: e.atMs, who: 'pharos', what: describeEvent(e) });
  lagLines('pharos', r.pharos.lags);
  lines.push(
    ...ackEdges(
      'pharos-default',
      r.pharosDefault.acks,
      r.pharosDefaultGap.fromMs + 1,
      r.pharosDefaultGap.toMs,
    ),
  );
  for (const f of r.pharosDefault.failures)
    lines.push({
      atMs: f.atMs,
      who: 'pharos-default',
      what: `write failed (started ${rel(f.startedMs, o)})${f.code ? ` ${f.code}` : ''}: ${f.error}`,
    });
  for (const e of r.pharosDefault.events)
    lines.push({ atMs: e.atMs, who: 'pharos-default', what: describeEvent(e) });
  lagLines('pharos-default', r.pharosDefault.lags);
  lagLines('bench process', r.lags);
  lagLines('psql', r.psql.lags);
  lines.push(...ackEdges('psql', r.psql.acks, r.psqlGap.fromMs + 1, r.psqlGap.toMs));
  const i = r.psql.acks.indexOf(r.psqlGap.toMs);
  if (i >= 0)
    lines.push({
      atMs: r.psql.ackStarts[i]!,
      who: 'psql',
      what: 'started the first write acknowledged after the gap',
    });
  for (const f of r.psql.failures)
    lines.push({
      atMs: f.atMs,
      who: 'psql',
      what: `${f.code ?? 'failed'} (started ${rel(f.startedMs, o)}): ${f.error.replaceAll('psql: error: ', '').replace(/\s*\n\s*/g, ' | ')}`,
    });
  // The agents: every agent's last batch before the ship gap and first after it.
  const byAgent = new Map<number, number[]>();
  for (const b of r.shipBatches) {
    if (!byAgent.has(b.agentId)) byAgent.set(b.agentId, []);
    byAgent.get(b.agentId)!.push(b.atMs);
  }
  for (const [id, ts] of byAgent)
    lines.push(
      ...ackEdges(`agent ${id}`, ts, r.shipGap.fromMs + 1, r.shipGap.toMs).map((l) => ({
        ...l,
        what: l.what.replace('acknowledged write', 'stored batch (received_at)'),
      })),
    );
  const gapLine = (name: string, g: WriteGap | undefined) =>
    g
      ? `${name}: ${(g.gapMs / 1000).toFixed(3)} s from ${rel(g.fromMs, o)} to ${rel(g.toMs, o)}`
      : `${name}: -`;
  return [
    `${r.t.fault} at ${new Date(o).toISOString()} (times relative to the fault's start)`,
    gapLine("cluster's own gap", r.backendGap),
    gapLine('Pharos gap (holdOtherHosts)', r.pharosGap),
    gapLine('Pharos gap (default options)', r.pharosDefaultGap),
    gapLine('psql gap', r.psqlGap),
    gapLine("agents' ship gap (pem.ship_batch.received_at)", r.shipGap),
    '',
    formatTimeline(lines, o, from, to),
    '',
  ].join('\n');
}
