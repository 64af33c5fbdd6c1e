/**
 * The fault suite's table: one Markdown row per fault.
 */
import type { FaultResult } from './measure.js';

const s = (ms: number) => (ms / 1000).toFixed(2);

/** Markdown table: fault, write gap (s), the cluster's own gap (s), ship gaps (s), samples checked, lost, duplicated, holes, skipped, probe writes lost, notes. */
export function faultTable(results: readonly FaultResult[]): string {
  const head = [
    '| fault | write gap (s) | the cluster’s own gap (s) | ship gap, any agent (s) | ship gap, worst agent (s) | samples checked (all so far) | lost | duplicated | id holes | ids never durable | probe writes lost | what happened |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const rows = results.map((r) => {
    const checked = r.tallies.reduce((n, t) => n + t.expected, 0);
    const marks = Object.entries(r.timeline.marks)
      .map(([k, v]) => `${k} +${s(v)} s`)
      .join(', ');
    const what = [...r.timeline.notes, marks].filter(Boolean).join('; ');
    return `| ${r.timeline.fault} | ${s(r.writeGap.gapMs)} | ${r.backendGap ? s(r.backendGap.gapMs) : '—'} | ${s(r.shipGapAnyMs)} | ${s(r.shipGapWorstAgentMs)} | ${checked} | ${r.lost} | ${r.duplicated} | ${r.holes} | ${r.skipped} | ${r.lostWrites} | ${what} |`;
  });
  return [...head, ...rows].join('\n');
}
