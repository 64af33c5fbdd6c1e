/**
 * The performance targets of issue 19 (and issue 14's fleet benchmark),
 * judged on one run's figures: each
 * with what was measured, its anchor (what the same run measured for the
 * reference: libpq, the cluster's own write gap, a plain COPY), the target,
 * and whether it was met. Targets relative to an anchor are judged run by
 * run (a switchover's own gap varies from run to run), so the figure shown
 * beside them is the excess over the anchor.
 */
import type { FailoverFigures, FaultRun } from '../failover/failover-bench.js';
import type { FleetFigures } from '../fleet/fleet-bench.js';
import type { FleetSimFigures } from '../fleet-sim/fleet-sim-bench.js';
import type { IngestFigures } from '../ingest/ingest-bench.js';
import { formatSummary, summarize } from '../stats.js';
import type { Section, SourcedSection, TargetRow } from './types.js';
import { mib } from './units.js';

/** First connection whose first host is black-holed (failover/first-connection.ts), seconds. */
export const FIRST_CONNECTION_TARGET_S = 0.6;

/** Faults whose gaps have a target relative to the cluster's own gap, seconds of excess allowed. */
const GAP_TARGETS: { fault: string; label: string; shipExcessS: number; writeExcessS?: number }[] = [
  { fault: 'switchover', label: 'switchover', shipExcessS: 0.5, writeExcessS: 0.3 },
  { fault: 'kill -9 of the leader (Patroni + PostgreSQL)', label: 'killed leader', shipExcessS: 1 },
];

/** Ingest through the ship path relative to a plain COPY of the same values. */
export const INGEST_RATIO_TARGET = 0.8;

/** Issue 19: history bytes (indexes and rollups included) per stored value. */
export const STORAGE_BYTES_PER_VALUE_TARGET = 10;

/** Issue 14: the fleet benchmark's size and length. */
export const FLEET_SERVERS_TARGET = 600;
export const FLEET_MINUTES_TARGET = 10;

/** Issue 7 and 19: the overview's p95, ms. */
export const OVERVIEW_P95_TARGET_MS = 100;

/** Issue 19: the simulated fleet's size and length. */
export const FLEET_SIM_SERVERS_TARGET = 5000;
export const FLEET_SIM_MINUTES_TARGET = 10;

/** The rows judged on the fleet benchmark: issue 14's fleet, issue 19's storage, the overview under a fleet. */
function fleetRows(fleet: SourcedSection<FleetFigures> | undefined): TargetRow[] {
  const fFigure = `fleet: registered servers monitored by real agents, for how long (issue 14)`;
  const fTarget = `>= ${FLEET_SERVERS_TARGET} servers for ${FLEET_MINUTES_TARGET} min, every server with data`;
  const sFigure = 'storage: bytes per stored value (history, indexes and rollups)';
  const sAnchor = "Prometheus's TSDB: 1–2 bytes per sample";
  const sTarget = `<= ${STORAGE_BYTES_PER_VALUE_TARGET} bytes per value`;
  const oFigure = 'overview p95 (GET /api/fleet) with the fleet being monitored';
  const oTarget = `<= ${OVERVIEW_P95_TARGET_MS} ms`;
  if (!fleet?.measured) {
    const why = fleet ? fleet.reason : 'no fleet section in this run';
    return [
      notMeasured(fFigure, '—', fTarget, why),
      notMeasured(sFigure, sAnchor, sTarget, why),
      notMeasured(oFigure, '—', oTarget, why),
    ];
  }
  const f = fleet.figures;
  const st = f.storage;
  const age = f.newestSampleAge;
  return [
    {
      figure: fFigure,
      measured: `${f.setup.servers} servers, ${f.setup.agents} agents, ${f.fleetMinutesMeasured.toFixed(1)} min; ${age.serversWithoutDataAtEnd} without data at the end; newest sample age p95 ${age.p95.toFixed(1)} s, max ${age.max.toFixed(1)} s`,
      anchor: '—',
      target: fTarget,
      met:
        f.setup.servers >= FLEET_SERVERS_TARGET &&
        f.fleetMinutesMeasured >= FLEET_MINUTES_TARGET &&
        age.serversWithoutDataAtEnd === 0,
    },
    {
      figure: sFigure,
      measured: `${st.bytesPerValue.toFixed(1)} B/value (${mib(st.historyBytesAtEnd)} for ${st.historyValuesAtEnd} values in ${st.historyRowsAtEnd} rows; ${st.bytesPerNumericValue.toFixed(1)} B per numeric value, ${st.bytesPerRow.toFixed(0)} B/row)`,
      anchor: sAnchor,
      target: sTarget,
      met: st.historyValuesAtEnd > 0 && st.bytesPerValue <= STORAGE_BYTES_PER_VALUE_TARGET,
    },
    {
      figure: oFigure,
      measured: `p95 ${f.overview.p95Ms.toFixed(1)} ms (p50 ${f.overview.p50Ms.toFixed(1)}, max ${f.overview.maxMs.toFixed(1)}; ${f.overview.requests} requests, ${f.overview.failed} failed; ${f.setup.servers} servers)`,
      anchor: '—',
      target: oTarget,
      met: f.overview.requests > 0 && f.overview.failed === 0 && f.overview.p95Ms <= OVERVIEW_P95_TARGET_MS,
    },
  ];
}

const notMeasured = (figure: string, anchor: string, target: string, why: string): TargetRow => ({
  figure,
  measured: `not measured: ${why}`,
  anchor,
  target,
  met: undefined,
});

/** Excess of `gap` over the run's own gap, per run, as a summary line ("+0.21 s (…)"). */
function excessLine(runs: FaultRun[], gap: (r: FaultRun) => number): string {
  const s = summarize(
    runs.map((r) => gap(r) - r.backendGapS),
    's',
  );
  const abs = summarize(runs.map(gap), 's');
  return `${formatSummary(abs)}; over the anchor ${formatSummary(s)}`;
}

/**
 * Issue 19's 5,000-server fleet (fleet-sim/fleet-sim-bench.ts): met when the
 * top step had at least 5,000 servers for at least 10 minutes and met every
 * target of a step (ingest lag, alert evaluation, overview).
 */
export function fleetSimRow(sim: SourcedSection<FleetSimFigures> | undefined): TargetRow {
  const figure =
    'a fleet of 5,000 monitored servers on the 2-core backend (simulated agents, real ship path)';
  const target = `>= ${FLEET_SIM_SERVERS_TARGET} servers for >= ${FLEET_SIM_MINUTES_TARGET} min: ingest lag < one probe interval (ship lag p95 < 10 s; newest sample age p95 < 20 s = the 10-s probes' cadence + 10 s), no alert a whole interval late, overview p95 <= ${OVERVIEW_P95_TARGET_MS} ms`;
  if (!sim?.measured)
    return notMeasured(figure, '—', target, sim ? sim.reason : 'no fleet-sim section in this run');
  const f = sim.figures;
  const top = f.steps[f.steps.length - 1];
  if (!top) return notMeasured(figure, '—', target, 'no step measured');
  return {
    figure,
    measured: `${top.servers} servers, ${(top.windowS / 60).toFixed(1)} min: newest sample age p95 ${top.newestSampleAge.p95.toFixed(1)} s, ship lag p95 ${top.shipLag.p95.toFixed(1)} s (max ${top.shipLag.max.toFixed(1)}), alerts at most ${top.alerts.maxLateIntervals} intervals late, overview p95 ${top.overview.p95Ms} ms; backend ${top.cpu.backend.toFixed(2)} cores, ${(top.storage.bytesPerDay / 1e9).toFixed(1)} GB/day. Largest fleet meeting the targets: ${f.largestMeetingTargets > 0 ? `${f.largestMeetingTargets} servers` : 'none of the steps'} (steps ${f.steps.map((s) => s.servers).join(', ')})`,
    anchor: `load average ${top.loadAverage.start[0]} at the start, ${top.loadAverage.end[0]} at the end of the top step (2 CPUs, shared)`,
    target,
    met:
      top.servers >= FLEET_SIM_SERVERS_TARGET &&
      top.windowS >= FLEET_SIM_MINUTES_TARGET * 60 - 1 &&
      top.met.all,
  };
}

/** The target rows of issue 19 for `failover`, `ingest` and `fleet` (any may be unmeasured; issue 14's fleet row too). */
export function issue19Targets(
  failover: Section<FailoverFigures>,
  ingest: Section<IngestFigures>,
  fleet?: SourcedSection<FleetFigures>,
  fleetSim?: SourcedSection<FleetSimFigures>,
): TargetRow[] {
  const rows: TargetRow[] = [];
  const fcFigure =
    'first connection, first host black-holed (connect_timeout=2, target_session_attrs=read-write)';
  const fcTarget = `<= ${FIRST_CONNECTION_TARGET_S} s in every run`;
  const bh = failover.measured
    ? failover.figures.firstConnection.find((c) => c.scenario === 'first host black-holed')
    : undefined;
  if (!bh) {
    rows.push(
      notMeasured(
        fcFigure,
        'libpq (psql)',
        fcTarget,
        failover.measured ? 'no black-holed scenario' : failover.reason,
      ),
    );
  } else {
    rows.push({
      figure: fcFigure,
      measured: `${formatSummary(bh.pharos, 3)}${bh.pharosFailures ? `, ${bh.pharosFailures} failed` : ''}`,
      anchor: `libpq (psql): ${formatSummary(bh.psql, 3)}`,
      target: fcTarget,
      met: bh.pharos.runs > 0 && bh.pharosFailures === 0 && bh.pharos.max <= FIRST_CONNECTION_TARGET_S,
    });
  }
  for (const g of GAP_TARGETS) {
    const figs = failover.measured ? failover.figures.faults.find((f) => f.fault === g.fault) : undefined;
    const runs = figs?.runs ?? [];
    const anchor =
      runs.length > 0
        ? `the cluster's own gap: ${formatSummary(
            summarize(
              runs.map((r) => r.backendGapS),
              's',
            ),
          )}`
        : "the cluster's own gap";
    const shipFigure = `agents' ship gap, ${g.label}`;
    const shipTarget = `<= own gap + ${g.shipExcessS} s in every run, 0 lost, 0 duplicated`;
    if (runs.length === 0) {
      rows.push(
        notMeasured(
          shipFigure,
          anchor,
          shipTarget,
          failover.measured ? (failover.figures.error ?? 'no run') : failover.reason,
        ),
      );
    } else {
      const clean = runs.every((r) => r.lost === 0 && r.duplicated === 0 && r.holes === 0);
      const lost = runs.reduce((n, r) => n + r.lost, 0);
      const dup = runs.reduce((n, r) => n + r.duplicated, 0);
      rows.push({
        figure: shipFigure,
        measured: `${excessLine(runs, (r) => r.shipGapS)}; lost ${lost}, duplicated ${dup}`,
        anchor,
        target: shipTarget,
        met: clean && runs.every((r) => r.shipGapS <= r.backendGapS + g.shipExcessS),
      });
    }
    if (g.writeExcessS !== undefined) {
      const wFigure = `Pharos write gap, ${g.label}`;
      const wTarget = `<= own gap + ${g.writeExcessS} s in every run`;
      if (runs.length === 0) rows.push(notMeasured(wFigure, anchor, wTarget, 'no run'));
      else
        rows.push({
          figure: wFigure,
          measured: excessLine(runs, (r) => r.pharosGapS),
          anchor,
          target: wTarget,
          met: runs.every((r) => r.pharosGapS <= r.backendGapS + g.writeExcessS!),
        });
    }
  }
  const iFigure = 'ingest: ship path / plain COPY of the same values';
  const iTarget = `>= ${INGEST_RATIO_TARGET}× (median of the runs)`;
  if (!ingest.measured) rows.push(notMeasured(iFigure, 'plain COPY', iTarget, ingest.reason));
  else
    rows.push({
      figure: iFigure,
      measured: `${formatSummary(ingest.figures.ratio, 2)} (ship path ${formatSummary(ingest.figures.shipPath, 0)}${
        ingest.figures.cpuRatio ? `; by CPU per sample ${formatSummary(ingest.figures.cpuRatio, 2)}` : ''
      })`,
      anchor: `plain COPY: ${formatSummary(ingest.figures.plainCopy, 0)}`,
      target: iTarget,
      met: ingest.figures.ratio.runs > 0 && ingest.figures.ratio.median >= INGEST_RATIO_TARGET,
    });
  rows.push(...fleetRows(fleet), fleetSimRow(fleetSim));
  return rows;
}
