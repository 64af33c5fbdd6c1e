/**
 * Issue 19's overview and chart targets judged on the web API latency
 * benchmark (web/api-latency.ts), run at 600 and at 5,000 servers on the
 * lab's recorded latest values: the overview p95 (every request read from
 * the backend) at each size, and the 7-day chart p95 (the better of the
 * history as ingested and once clustered, as api-latency.ts judges it).
 */
import type { ApiLatencyFigures } from '../web/api-latency.js';
import { OVERVIEW_P95_TARGET_MS } from './targets.js';
import type { SourcedSection, TargetRow } from './types.js';

/** Median of `xs` (NaN when empty). */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Issue 19: the 7-day chart's p95, ms. */
export const CHART_P95_TARGET_MS = 200;

/** The overview row of one size, and the chart row of the first measured section. */
export function webTargets(
  sections: { servers: number; section: SourcedSection<ApiLatencyFigures> }[],
): TargetRow[] {
  const rows: TargetRow[] = [];
  const oTarget = `<= ${OVERVIEW_P95_TARGET_MS} ms`;
  for (const { servers, section: s } of sections) {
    const figure = `overview p95 (GET /api/fleet), ${servers.toLocaleString('en')} servers' recorded latest values, each request read from the backend`;
    if (!s.measured) {
      rows.push({
        figure,
        measured: `not measured: ${s.reason}`,
        anchor: '—',
        target: oTarget,
        met: undefined,
      });
      continue;
    }
    const f = s.figures;
    const o = f.overview;
    rows.push({
      figure,
      measured: `p95 ${o.p95Ms.toFixed(1)} ms (p50 ${o.p50Ms.toFixed(1)}, max ${o.maxMs.toFixed(1)}; ${o.requests} requests, ${o.failed} failed; ${f.setup.latestRows} rows in pemdata.latest; answer ${(o.answerBytes / 1024).toFixed(0)} KiB; same answer as before 018: ${o.sameAsReference}; the statement alone: before ${median(f.overviewStatementMs.before)} ms, after ${median(f.overviewStatementMs.after)} ms; load ${f.loadAverage.start.toFixed(1)}→${f.loadAverage.end.toFixed(1)})`,
      anchor: '—',
      target: oTarget,
      met: o.requests > 0 && o.failed === 0 && o.sameAsReference && o.p95Ms <= OVERVIEW_P95_TARGET_MS,
    });
  }
  const cFigure = '7-day chart p95 (GET /api/servers/:id/series, TPS, 10 s samples)';
  const cTarget = `<= ${CHART_P95_TARGET_MS} ms`;
  const measured = sections.find((x) => x.section.measured);
  if (!measured?.section.measured) {
    rows.push({ figure: cFigure, measured: 'not measured', anchor: '—', target: cTarget, met: undefined });
    return rows;
  }
  const f = measured.section.figures;
  const best = Math.min(f.chart7dTps.p95Ms, f.chart7dTpsClustered.p95Ms);
  rows.push({
    figure: cFigure,
    measured: `p95 ${best.toFixed(1)} ms (as ingested ${f.chart7dTps.p95Ms.toFixed(1)}, clustered ${f.chart7dTpsClustered.p95Ms.toFixed(1)}; ${f.setup.servers} servers, ${f.chart7dTps.samplesPerChart} samples per chart)`,
    anchor: '—',
    target: cTarget,
    met: f.chart7dTps.failed === 0 && best <= CHART_P95_TARGET_MS,
  });
  return rows;
}
