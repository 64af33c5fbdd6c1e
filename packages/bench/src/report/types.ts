/**
 * The benchmark report (written as JSON, and rendered as Markdown by
 * markdown.ts). Every figure comes from a measurement of the run that wrote
 * it; a section that could not be measured says why instead.
 */
import type { OptionalFigures } from '../external/optional-module.js';
import type { FailoverFigures } from '../failover/failover-bench.js';
import type { IngestFigures } from '../ingest/ingest-bench.js';
import type { MachineInfo } from '../machine.js';

/** A section of the harness's own: its figures and duration, or why it was not measured. */
export type Section<F> =
  | { measured: true; seconds: number; figures: F }
  | { measured: false; reason: string };

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
  failover: Section<FailoverFigures>;
  ingest: Section<IngestFigures>;
  web: OptionalFigures<unknown>;
  agent: OptionalFigures<unknown>;
  /** Alert evaluation throughput (packages/backend/dist/alerts/bench.js); absent in reports before 2026-11-30 evening. */
  alerts?: OptionalFigures<unknown>;
}
