/**
 * The product's history storage (storage/compaction-bench.ts measured every figure; this only
 * judges and formats them): issue 19's storage target on the real layout (hot rows of
 * pemhistory.sample, compacted days of migration 019, the chart rollup), the 7-day chart on the
 * compacted history, the compaction's speed against a 5,000-server fleet's day, and retention
 * by whole partitions.
 */
import type { CompactionFigures } from '../storage/compaction-bench.js';
import { CHART_7D_P95_TARGET_MS } from './storage-report.js';
import { STORAGE_BYTES_PER_VALUE_TARGET } from './targets.js';
import type { SourcedSection, TargetRow } from './types.js';
import { mib } from './units.js';

/** The fleet the compaction must keep up with, and the headroom asked: the job may need at most this share of its runs' time. */
export const COMPACTION_FLEET_SERVERS = 5000;
export const COMPACTION_MAX_JOB_DUTY = 0.5;

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');

/** The steady-state whole-history figure at the catalogue's longest retention. */
export function judgedWholeHistory(
  f: CompactionFigures,
): { retentionDays: number; bytesPerValue: number } | undefined {
  return f.wholeHistory.find((w) => w.retentionDays === f.longestRetentionDays);
}

/** Target rows: whole-history bytes per value, 7-day chart p95, compaction vs 5,000 servers, retention by partitions. */
export function historyRows(s: SourcedSection<CompactionFigures> | undefined): TargetRow[] {
  const bFigure =
    'history (product layout): whole-history bytes per stored value in steady state at the longest retention (hot rows, compacted days, rollup; tables, indexes, TOAST)';
  const bTarget = `<= ${STORAGE_BYTES_PER_VALUE_TARGET} bytes per value`;
  const cFigure =
    'history (product layout): 7-day chart p95 on the compacted history (database_stats rates, 3600-s buckets)';
  const cTarget = `<= ${CHART_7D_P95_TARGET_MS} ms`;
  const kFigure = `history compaction keeps up with ${n0(COMPACTION_FLEET_SERVERS)} servers at the default intervals (job runs of <= 6 s a minute)`;
  const kTarget = `the job needs <= ${COMPACTION_MAX_JOB_DUTY * 100}% of its time (2x headroom)`;
  const rFigure = 'history retention drops whole partitions (hot and compacted days)';
  const rTarget = 'every expired day dropped as partitions, no row deleted one by one, the other days intact';
  if (!s?.measured) {
    const why = s ? s.reason : 'no history section in this run';
    return [
      [bFigure, bTarget],
      [cFigure, cTarget],
      [kFigure, kTarget],
      [rFigure, rTarget],
    ].map(([figure, target]) => ({
      figure: figure!,
      measured: `not measured: ${why}`,
      anchor: '—',
      target: target!,
      met: undefined,
    }));
  }
  const f = s.figures;
  const w = judgedWholeHistory(f);
  const lossless = f.mismatches === 0 && f.hotRowsLeft === 0;
  const d = f.demand.find((x) => x.servers === COMPACTION_FLEET_SERVERS);
  const load = `load ${f.loadAvg.start[0]} → ${f.loadAvg.end[0]}`;
  return [
    {
      figure: bFigure,
      measured: w
        ? `${w.bytesPerValue.toFixed(2)} B/value at ${w.retentionDays} days (hot ${f.bytesPerValueHot.toFixed(1)} × ${f.hotDays} d, compacted ${f.bytesPerValueAfterWithoutRollup.toFixed(2)}, rollup ${f.bytesPerValueRollup.toFixed(2)}); ${f.wholeHistory.map((x) => `${x.retentionDays} d: ${x.bytesPerValue.toFixed(1)}`).join(', ')}${lossless ? '' : `; NOT lossless (${f.mismatches} mismatches, ${f.hotRowsLeft} rows left hot)`}`
        : 'no figure at the longest retention',
      anchor: `hot rows only (before compaction): ${f.bytesPerValueBefore.toFixed(1)} B/value with the rollup`,
      target: bTarget,
      met: w !== undefined && lossless && w.bytesPerValue <= STORAGE_BYTES_PER_VALUE_TARGET,
    },
    {
      figure: cFigure,
      measured: `p95 ${f.chart7d.p95.toFixed(1)} ms (p50 ${f.chart7d.median.toFixed(1)}, ${f.chart7d.runs} runs, ${f.chart7dPoints} points, 3600-s buckets); as the UI asks (1200-s buckets): p95 ${f.chart7dUi.p95.toFixed(1)} ms (p50 ${f.chart7dUi.median.toFixed(1)}, ${f.chart7dUiPoints} points); ${load}`,
      anchor: `1-h raw chart: hot p95 ${f.chartHot.p95.toFixed(1)} ms, compacted p95 ${f.chartCompacted.p95.toFixed(1)} ms`,
      target: cTarget,
      met:
        [f.chart7d, f.chart7dUi].every((c) => c.runs > 0 && c.p95 <= CHART_7D_P95_TARGET_MS) &&
        f.chart7dPoints > 0 &&
        f.chart7dUiPoints > 0,
    },
    {
      figure: kFigure,
      measured: d
        ? `${n0(f.compactValuesPerS)} values/s (one session, ${load}); ${n0(d.servers)} servers write ${n0(d.valuesPerS)} values/s (${(d.valuesPerDay / 1e9).toFixed(1)} G values/day): ${(d.compactionCoreShare * 100).toFixed(0)}% of one core, ${(d.jobDutyNeeded * 100).toFixed(0)}% of the job's time; ${f.demand.map((x) => `${n0(x.servers)} servers ${(x.jobDutyNeeded * 100).toFixed(0)}%`).join(', ')}`
        : 'no demand figure',
      anchor: `the fleet's write rate (the same recording, one day)`,
      target: kTarget,
      met: d !== undefined && f.compactValuesPerS > 0 && d.jobDutyNeeded <= COMPACTION_MAX_JOB_DUTY,
    },
    {
      figure: rFigure,
      measured: `${f.retention.droppedDay}: ${f.retention.partitionsDropped} sample and ${f.retention.blockPartitionsDropped} block partitions dropped, ${f.retention.rowsDeleted} rows and ${f.retention.blockSamplesDeleted} block samples deleted one by one; ${n0(f.retention.samplesLeft)} samples left of ${n0(f.retention.samplesExpected)} kept`,
      anchor: '—',
      target: rTarget,
      met: f.retention.wholePartitions,
    },
  ];
}

/** The section's Markdown lines. */
export function historySection(s: SourcedSection<CompactionFigures>): string[] {
  const title = '## History storage: the product layout (hot rows, compacted days, rollup)';
  if (!s.measured) return [title, '', `Not measured: ${s.reason}`];
  const f = s.figures;
  return [
    title,
    '',
    `Measured by \`${s.source}\`: the lab's recorded samples replayed as ${f.servers} servers with their agents' hosts for ${f.hours} h plus ${f.chartDays} days of server 1's database_stats (${n0(f.samples)} samples, ${n0(f.values)} values), inserted into pemhistory.sample, rolled up by pem.rollup_history, compacted by the job pem.job_history_compact until it had nothing left. Load average ${f.loadAvg.start.join(' ')} at the start, ${f.loadAvg.end.join(' ')} at the end (2 CPUs, shared).`,
    '',
    '| figure | value |',
    '|---|---|',
    `| pemhistory before compaction (hot rows + rollup) | ${mib(f.bytesBefore)}: ${f.bytesPerValueBefore.toFixed(2)} B/value (hot rows alone ${f.bytesPerValueHot.toFixed(2)}) |`,
    `| after compaction | ${mib(f.bytesAfter)}: ${f.bytesPerValueAfter.toFixed(2)} B/value (samples ${f.bytesPerValueAfterWithoutRollup.toFixed(2)}, rollup ${mib(f.rollupBytes)} = ${f.bytesPerValueRollup.toFixed(2)}) |`,
    `| whole history in steady state (${f.hotDays} days hot, the rest compacted, rollup of every day) | ${f.wholeHistory.map((x) => `${x.retentionDays} days: ${x.bytesPerValue.toFixed(2)} B/value`).join('; ')} |`,
    `| compaction | ${f.compactS.toFixed(1)} s, ${n0(f.compactValuesPerS)} values/s; backend CPU ${f.compactCpuS.toFixed(1)} s = ${f.compactCpuSPerMValues.toFixed(2)} CPU-s per million values; ${f.jobRuns} job runs (longest ${f.jobMaxS.toFixed(1)} s, budget ${f.jobBudgetS} s), ${f.hotRowsLeft} rows left hot |`,
    ...f.demand.map(
      (d) =>
        `| ${n0(d.servers)} servers at the default intervals | ${n0(d.samplesPerDay)} samples, ${n0(d.valuesPerDay)} values a day (${n0(d.valuesPerS)} values/s): compaction needs ${(d.compactionCoreShare * 100).toFixed(0)}% of one core, ${(d.jobDutyNeeded * 100).toFixed(0)}% of the job's time |`,
    ),
    `| lossless (pem.history_samples vs the rows inserted, EXCEPT ALL both ways) | ${f.mismatches === 0 ? 'yes' : `NO: ${f.mismatches} mismatches`} |`,
    `| 1-h raw chart p50 / p95, hot → compacted | ${f.chartHot.median.toFixed(1)} / ${f.chartHot.p95.toFixed(1)} ms → ${f.chartCompacted.median.toFixed(1)} / ${f.chartCompacted.p95.toFixed(1)} ms |`,
    `| 7-day chart (3600-s buckets) p50 / p95 on the compacted history | ${f.chart7d.median.toFixed(1)} / ${f.chart7d.p95.toFixed(1)} ms (${f.chart7dPoints} points) |`,
    `| 7-day chart as the UI asks for it (1200-s buckets of the 300-s rollup) p50 / p95 | ${f.chart7dUi.median.toFixed(1)} / ${f.chart7dUi.p95.toFixed(1)} ms (${f.chart7dUiPoints} points) |`,
    `| retention of ${f.retention.droppedDay} | ${f.retention.partitionsDropped} sample + ${f.retention.blockPartitionsDropped} block partitions dropped; ${f.retention.rowsDeleted} rows, ${f.retention.blockSamplesDeleted} block samples deleted one by one; ${n0(f.retention.samplesLeft)} / ${n0(f.retention.samplesExpected)} samples of the other days left |`,
  ];
}
