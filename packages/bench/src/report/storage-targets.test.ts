import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../stats.js';
import type { LayoutFigures, StorageFigures } from '../storage/storage-bench.js';
import { bestLayout, storageRows, storageSection } from './storage-report.js';

function layout(
  name: LayoutFigures['layout'],
  bytesPerValue: number,
  p95: number,
  mismatches?: number,
): LayoutFigures {
  return {
    layout: name,
    description: name,
    bytes: bytesPerValue * 1000,
    rollupBytes: 0,
    bytesPerValue,
    writeValuesPerS: 1,
    copyValuesPerS: 1,
    writeCopyRatio: 1,
    extraS: 0,
    extraWhat: '',
    chart: summarize([p95 / 2, p95], 'ms'),
    chartRows: 1,
    chartRateSum: 1,
    dropDayMs: 1,
    ...(mismatches === undefined ? {} : { decodeMismatches: mismatches }),
  };
}

function figures(layouts: LayoutFigures[]): StorageFigures {
  return {
    servers: 1,
    hours: 1,
    samples: 10,
    values: 1000,
    numericValues: 800,
    postgresVersion: '15',
    defaultToastCompression: 'lz4',
    compression: 'lz4',
    layouts,
  };
}

const section = (f: StorageFigures) => ({ measured: true as const, source: 'x', seconds: 1, figures: f });

describe('storageRows', () => {
  it('judges the smallest lossless layout, with today (A) as the anchor', () => {
    const rows = storageRows(
      section(figures([layout('A', 50, 30), layout('C-hour', 1, 10, 3), layout('C-day', 2.5, 16, 0)])),
    );
    assert.equal(rows.length, 2);
    assert.match(rows[0]!.measured, /^C-day: 2\.50 B\/value/);
    assert.match(rows[0]!.anchor, /50\.0 B\/value/);
    assert.equal(rows[0]!.met, true);
    assert.equal(rows[1]!.met, true);
  });

  it('says not met when the best layout is over 10 B/value or its chart over 200 ms', () => {
    const rows = storageRows(section(figures([layout('A', 50, 30), layout('B', 64, 250)])));
    assert.match(rows[0]!.measured, /^A: 50\.00/);
    assert.equal(rows[0]!.met, false);
    const slow = storageRows(section(figures([layout('A', 50, 30), layout('C-day', 2.5, 250, 0)])));
    assert.equal(slow[0]!.met, true);
    assert.equal(slow[1]!.met, false);
  });

  it('says why when the section was not measured', () => {
    const rows = storageRows({ measured: false, source: 'x', reason: 'skipped (--only)' });
    assert.ok(rows.every((r) => r.met === undefined && r.measured.includes('skipped')));
  });

  it('never picks a layout that lost values', () => {
    assert.equal(bestLayout(figures([layout('A', 50, 30), layout('C-day', 2, 10, 1)]))!.layout, 'A');
    assert.ok(storageSection(section(figures([layout('C-day', 2, 10, 1)]))).some((l) => l.includes('NO: 1')));
  });
});
