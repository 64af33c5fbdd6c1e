/**
 * The storage benchmark's target rows and Markdown section
 * (storage/storage-bench.ts measured every figure; this only judges and
 * formats them). The layout judged against issue 19's storage target is the
 * one with the fewest bytes per value among those whose decoding is lossless
 * (C) or that store the samples as shipped (A, B).
 */
import type { LayoutFigures, StorageFigures } from '../storage/storage-bench.js';
import { STORAGE_BYTES_PER_VALUE_TARGET } from './targets.js';
import type { SourcedSection, TargetRow } from './types.js';
import { mib } from './units.js';

/** Issue 19: the 7-day chart's p95 on the chosen layout, ms. */
export const CHART_7D_P95_TARGET_MS = 200;

/** The layout with the fewest bytes per value that loses nothing. */
export function bestLayout(f: StorageFigures): LayoutFigures | undefined {
  return f.layouts
    .filter((l) => (l.decodeMismatches ?? 0) === 0)
    .sort((a, b) => a.bytesPerValue - b.bytesPerValue)[0];
}

/** Target rows: bytes per value and 7-day chart p95 of the best layout, with today's (A) as the anchor. */
export function storageRows(s: SourcedSection<StorageFigures> | undefined): TargetRow[] {
  const bFigure = 'storage bench: bytes per stored value (all history: tables, indexes, TOAST, rollups)';
  const bTarget = `<= ${STORAGE_BYTES_PER_VALUE_TARGET} bytes per value`;
  const cFigure =
    'storage bench: 7-day chart p95 (one server, database_stats rates, 3600-s buckets) on that layout';
  const cTarget = `<= ${CHART_7D_P95_TARGET_MS} ms`;
  if (!s?.measured) {
    const why = s ? s.reason : 'no storage section in this run';
    return [bFigure, cFigure].map((figure, i) => ({
      figure,
      measured: `not measured: ${why}`,
      anchor: 'layout A (today)',
      target: i === 0 ? bTarget : cTarget,
      met: undefined,
    }));
  }
  const f = s.figures;
  const a = f.layouts.find((l) => l.layout === 'A');
  const best = bestLayout(f);
  if (!best || !a) return [];
  return [
    {
      figure: bFigure,
      measured: `${best.layout}: ${best.bytesPerValue.toFixed(2)} B/value (${f.values} values, ${f.servers} servers × ${f.hours} h + 7 days of one probe); ${f.layouts.map((l) => `${l.layout} ${l.bytesPerValue.toFixed(1)}`).join(', ')}`,
      anchor: `layout A (today): ${a.bytesPerValue.toFixed(1)} B/value`,
      target: bTarget,
      met: best.bytesPerValue <= STORAGE_BYTES_PER_VALUE_TARGET,
    },
    {
      figure: cFigure,
      measured: `${best.layout}: p95 ${best.chart.p95.toFixed(1)} ms (p50 ${best.chart.median.toFixed(1)}, ${best.chart.runs} runs)`,
      anchor: `layout A (today): p95 ${a.chart.p95.toFixed(1)} ms`,
      target: cTarget,
      met: best.chart.runs > 0 && best.chart.p95 <= CHART_7D_P95_TARGET_MS,
    },
  ];
}

/** The section's Markdown lines. */
export function storageSection(s: SourcedSection<StorageFigures>): string[] {
  const title = '## Storage: history layouts on the same replayed fleet';
  if (!s.measured) return [title, '', `Not measured: ${s.reason}`];
  const f = s.figures;
  return [
    title,
    '',
    `Measured by \`${s.source}\`: the lab's recorded samples (packages/bench/fixtures/lab-samples.jsonl.gz) replayed as ${f.servers} servers with their agents' hosts for ${f.hours} h, plus 7 days of one server's database_stats (the chart's range): ${f.samples} samples, ${f.values} values (${f.numericValues} numeric), loaded into each layout in one PostgreSQL ${f.postgresVersion} (TOAST compression ${f.compression}). Write = the layout's INSERT ... SELECT from the raw samples staged in an unlogged table; COPY = a plain COPY of the layout's own rows from a server-side file into the emptied table. Bytes = every table of the layout (partitions, indexes, TOAST, dictionary, rollups) ÷ all values.`,
    '',
    '| layout | bytes/value | bytes (rollups) | write values/s | COPY values/s | write/COPY | other work | 7-day chart p50 / p95 | chart rows / Σrate | drop a day | lossless |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...f.layouts.map(
      (l) =>
        `| ${l.layout}: ${l.description} | ${l.bytesPerValue.toFixed(2)} | ${mib(l.bytes)} (${mib(l.rollupBytes)}) | ${Math.round(l.writeValuesPerS)} | ${Math.round(l.copyValuesPerS)} | ${l.writeCopyRatio.toFixed(2)} | ${l.extraS.toFixed(1)} s: ${l.extraWhat} | ${l.chart.median.toFixed(1)} / ${l.chart.p95.toFixed(1)} ms | ${l.chartRows} / ${l.chartRateSum.toFixed(1)} | ${l.dropDayMs.toFixed(0)} ms | ${l.decodeMismatches === undefined ? 'stored as shipped' : l.decodeMismatches === 0 ? 'yes (every value decoded back)' : `NO: ${l.decodeMismatches} mismatches`} |`,
    ),
    '',
    ...f.layouts
      .filter((l) => l.chartFromBlocks)
      .map(
        (l) =>
          `${l.layout}'s 7-day chart from its blocks alone (every point decoded, no rollup): p50 ${l.chartFromBlocks!.median.toFixed(1)} / p95 ${l.chartFromBlocks!.p95.toFixed(1)} ms, ${l.chartFromBlocksRows} rows, Σrate ${l.chartFromBlocksRateSum!.toFixed(1)}.`,
      ),
  ];
}
