/**
 * The benchmark report (written as JSON, and rendered as Markdown by
 * markdown.ts). Every figure comes from a measurement of the run that wrote
 * it; a section that could not be measured says why instead.
 */
import type { FailoverFigures } from '../failover/failover-bench.js';
import type { FleetFigures } from '../fleet/fleet-bench.js';
import type { FleetSimFigures } from '../fleet-sim/fleet-sim-bench.js';
import type { IngestFigures } from '../ingest/ingest-bench.js';
import type { MachineInfo } from '../machine.js';
import type { CompactionFigures } from '../storage/compaction-bench.js';
import type { StorageFigures } from '../storage/storage-bench.js';

/** A section of the harness's own: its figures and duration, or why it was not measured. */
export type Section<F> =
  | { measured: true; seconds: number; figures: F }
  | { measured: false; reason: string };

/**
 * A section measured by a benchmark module other than the harness's own
 * sections: its figures with the module that measured them, or why there
 * are none (the module failed). Nothing is ever made up in its place.
 */
export type SourcedSection<F> =
  | { measured: true; source: string; seconds: number; figures: F }
  | { measured: false; source: string; reason: string };

/** One target of issue 19 or 14 (targets.ts): `met` is undefined when it was not measured in this run (`measured` says why). */
export interface TargetRow {
  figure: string;
  measured: string;
  anchor: string;
  target: string;
  met: boolean | undefined;
}

/** The whole report. Times are ISO-8601; durations in seconds. */
export interface BenchReport {
  version: 1;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  command: string;
  machine: MachineInfo;
  /** 1, 5 and 15 minute load averages when the run ended. */
  loadAverageAtEnd: number[];
  /** Issue 19's targets judged on this run's figures (targets.ts); absent in reports before 2026-12-07. */
  targets?: TargetRow[];
  failover: Section<FailoverFigures>;
  ingest: Section<IngestFigures>;
  web: SourcedSection<unknown>;
  /** The web API latency benchmark at 5,000 servers (web/api-latency.ts); absent in reports before 2026-12-07 night. */
  web5000?: SourcedSection<unknown>;
  agent: SourcedSection<unknown>;
  /** Alert evaluation throughput (packages/bench/src/alerts/alert-bench.ts); absent in reports before 2026-11-30 evening. */
  alerts?: SourcedSection<unknown>;
  /** The fleet benchmark (packages/bench/src/fleet/fleet-bench.ts); absent in reports before 2026-12-07 evening. */
  fleet?: SourcedSection<FleetFigures>;
  /** History layouts compared on replayed lab samples (packages/bench/src/storage/storage-bench.ts); absent before 2026-12-07 night. */
  storage?: SourcedSection<StorageFigures>;
  /** The product's history storage: hot rows, compaction, rollup, retention (packages/bench/src/storage/compaction-bench.ts); absent before 2026-12-08. */
  history?: SourcedSection<CompactionFigures>;
  /** The simulated fleet (packages/bench/src/fleet-sim/fleet-sim-bench.ts); absent in reports before 2026-12-07 night. */
  fleetSim?: SourcedSection<FleetSimFigures>;
}
