import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../stats.js';
import { type CompactionFigures, wholeHistoryBytesPerValue } from '../storage/compaction-bench.js';
import { historyRows, historySection } from './history-report.js';

function figures(over: Partial<CompactionFigures> = {}): CompactionFigures {
  const hot = 48;
  const compacted = 2;
  const rollup = 2.5;
  return {
    servers: 1,
    hours: 26,
    chartDays: 7,
    samples: 100,
    values: 1000,
    bytesBefore: 50_500,
    bytesAfter: 4_500,
    rollupBytes: 2_500,
    bytesPerValueBefore: 50.5,
    bytesPerValueAfter: 4.5,
    bytesPerValueHot: hot,
    bytesPerValueAfterWithoutRollup: compacted,
    bytesPerValueRollup: rollup,
    hotDays: 1.25,
    wholeHistory: [7, 90].map((r) => ({
      retentionDays: r,
      bytesPerValue: wholeHistoryBytesPerValue(hot, compacted, rollup, r),
    })),
    longestRetentionDays: 90,
    compactS: 10,
    compactValuesPerS: 2_000_000,
    jobRuns: 2,
    jobMaxS: 6,
    jobBudgetS: 6,
    hotRowsLeft: 0,
    compactCpuS: 50,
    compactCpuSPerMValues: 8.4,
    demand: [
      {
        servers: 5000,
        samplesPerDay: 2.5e9,
        valuesPerDay: 2.1e10,
        valuesPerS: 243_000,
        compactionCoreShare: 0.12,
        jobDutyNeeded: 0.9,
      },
    ],
    mismatches: 0,
    chartHot: summarize([10, 20], 'ms'),
    chartCompacted: summarize([10, 30], 'ms'),
    chart7d: summarize([40, 50], 'ms'),
    chart7dPoints: 336,
    chart7dUi: summarize([60, 70], 'ms'),
    chart7dUiPoints: 1008,
    retention: {
      droppedDay: '2026-11-30',
      partitionsDropped: 1,
      blockPartitionsDropped: 2,
      rowsDeleted: 0,
      blockSamplesDeleted: 0,
      samplesLeft: 90,
      samplesExpected: 90,
      wholePartitions: true,
    },
    loadAvg: { start: [1, 1, 1], end: [2, 1, 1] },
    ...over,
  };
}

const section = (f: CompactionFigures) => ({ measured: true as const, source: 'x', seconds: 1, figures: f });
const row = (rows: ReturnType<typeof historyRows>, start: string) =>
  rows.find((r) => r.figure.startsWith(start) || r.figure.includes(start))!;

describe('wholeHistoryBytesPerValue', () => {
  it('weighs hot and compacted days over the window and adds the rollup', () => {
    assert.equal(wholeHistoryBytesPerValue(48, 2, 2.5, 10), (48 * 1.25 + 2 * 8.75) / 10 + 2.5);
    // a window shorter than the hot days is all hot
    assert.equal(wholeHistoryBytesPerValue(48, 2, 0, 1), 48);
  });
});

describe('historyRows', () => {
  it('judges the whole history at the longest retention, the 7-day chart, the compaction against 5,000 servers and retention', () => {
    const rows = historyRows(section(figures()));
    assert.equal(rows.length, 4);
    assert.equal(row(rows, 'whole-history').met, true);
    assert.match(row(rows, 'whole-history').measured, /^5\.\d\d B\/value at 90 days/);
    assert.equal(row(rows, '7-day chart').met, true);
    assert.equal(row(rows, 'keeps up').met, false, '90% of the job time is more than half');
    assert.equal(row(rows, 'retention drops').met, true);
  });

  it('judges the 7-day chart as the UI asks for it too', () => {
    const rows = historyRows(section(figures({ chart7dUi: summarize([150, 260], 'ms') })));
    assert.equal(row(rows, '7-day chart').met, false);
    assert.match(row(rows, '7-day chart').measured, /as the UI asks \(1200-s buckets\): p95 260\.0 ms/);
  });

  it('is not met when a sample was lost, even if small', () => {
    const rows = historyRows(section(figures({ mismatches: 3 })));
    assert.equal(row(rows, 'whole-history').met, false);
    assert.match(row(rows, 'whole-history').measured, /NOT lossless/);
  });

  it('is not met when retention deleted rows one by one', () => {
    const f = figures();
    const rows = historyRows(
      section({ ...f, retention: { ...f.retention, wholePartitions: false, rowsDeleted: 5 } }),
    );
    assert.equal(row(rows, 'retention drops').met, false);
  });

  it('says why when the section was not measured', () => {
    const rows = historyRows({ measured: false, source: 'x', reason: 'failed: boom' });
    assert.equal(rows.length, 4);
    assert.ok(rows.every((r) => r.met === undefined && r.measured === 'not measured: failed: boom'));
  });

  it('formats a Markdown section', () => {
    const md = historySection(section(figures())).join('\n');
    assert.match(md, /whole history in steady state/);
    assert.match(md, /90 days: 5\.\d\d B\/value/);
  });
});
