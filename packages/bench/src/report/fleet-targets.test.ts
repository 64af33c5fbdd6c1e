import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FleetFigures } from '../fleet/fleet-bench.js';
import { summarize } from '../stats.js';
import { fleetSection } from './fleet-markdown.js';
import { issue19Targets } from './targets.js';

/** Figures shaped as runFleetBench returns them; the numbers are the test's choice. */
function figures(
  servers: number,
  minutes: number,
  bytesPerValue: number,
  overviewP95Ms: number,
): FleetFigures {
  return {
    setup: {
      servers,
      agents: 6,
      monitoredInstances: Math.ceil(servers / 60),
      postgresSettings: 'fsync=on',
      startS: 60,
      enrolS: 20,
      registerS: 90,
      testedAdds: false,
      toDataS: 15,
      serversWithoutDataAtStart: 0,
      retriedAfter503: 0,
      retriedAfterTestTimeout: 0,
      addedUntested: 0,
    },
    windowS: minutes * 60,
    loadAverage: { start: 8, end: 9 },
    backendCpuCores: 0.9,
    monitoredCpuCores: 0.4,
    agentsCpu: { totalCores: 1.1, perAgentCores: summarize([0.18, 0.19], 'cores') },
    agentsRss: { maxMiB: 150, perAgentLastMiB: summarize([140, 150], 'MiB') },
    newestSampleAge: { ...summarize([1, 5, 9], 's'), readings: 3, serversWithoutDataAtEnd: 0 },
    stored: { rowsPerS: 2000, valuesPerS: 10000, numericValuesPerS: 6000, insertedRowsPerS: 2000 },
    storage: {
      historyBytesAtEnd: 1e8,
      rollupBytesAtEnd: 1e6,
      historyRowsAtEnd: 300000,
      historyValuesAtEnd: Math.round(1e8 / bytesPerValue),
      historyNumericValuesAtEnd: 1000000,
      bytesPerDay: 4e10,
      bytesPerRow: 333,
      bytesPerValue,
      bytesPerNumericValue: 100,
    },
    walBytesPerS: 3e6,
    overview: { requests: 240, failed: 0, p50Ms: 40, p95Ms: overviewP95Ms, maxMs: 300, answerBytes: 600000 },
    probeFailuresInWindow: 0,
    fleetMinutesMeasured: minutes,
  };
}

const notRun = { measured: false as const, reason: 'skipped (--only)' };
const rowsOf = (f: FleetFigures) =>
  issue19Targets(notRun, notRun, { measured: true, source: 'fleet', seconds: 700, figures: f });
const row = (rows: ReturnType<typeof issue19Targets>, prefix: string) =>
  rows.find((r) => r.figure.startsWith(prefix))!;

describe('fleet targets (issues 14 and 19)', () => {
  it('judges the fleet size and length, the storage per value and the overview p95', () => {
    const rows = rowsOf(figures(600, 10, 8.5, 90));
    assert.equal(row(rows, 'fleet:').met, true);
    assert.equal(row(rows, 'storage').met, true);
    assert.equal(row(rows, 'overview p95').met, true);
    assert.match(row(rows, 'storage').measured, /^8\.5 B\/value/);
  });

  it('a short run, a smaller fleet, 53 B/value or a slow overview is not met', () => {
    assert.equal(row(rowsOf(figures(600, 4, 8, 90)), 'fleet:').met, false, '4 minutes');
    assert.equal(row(rowsOf(figures(599, 10, 8, 90)), 'fleet:').met, false, '599 servers');
    assert.equal(row(rowsOf(figures(600, 10, 53.3, 90)), 'storage').met, false);
    assert.equal(row(rowsOf(figures(600, 10, 8, 101)), 'overview p95').met, false);
    const noData = figures(600, 10, 8, 90);
    noData.newestSampleAge.serversWithoutDataAtEnd = 1;
    assert.equal(row(rowsOf(noData), 'fleet:').met, false, 'a server without data');
  });

  it('without a fleet section the rows say why and are not judged', () => {
    const rows = issue19Targets(notRun, notRun, {
      measured: false,
      source: 'fleet',
      reason: 'failed: 127.0.64.1 in use',
    });
    assert.equal(row(rows, 'storage').met, undefined);
    assert.match(row(rows, 'fleet:').measured, /127\.0\.64\.1 in use/);
  });

  it('the report section shows the load average beside the figures', () => {
    const md = fleetSection({
      measured: true,
      source: 'fleet',
      seconds: 700,
      figures: figures(600, 10, 53, 90),
    }).join('\n');
    assert.match(md, /load average 8\.00 at its start, 9\.00 at its end/);
    assert.match(md, /\| backend PostgreSQL CPU \| 0\.900 cores \|/);
    assert.match(md, /\| stored rows\/s \| 2000 \(by collection time; 2000 by rows inserted\) \|/);
    assert.match(md, /\| history at the end \| 95\.4 MiB \(rollups 1\.0 MiB\)/);
    assert.match(md, /p95 90 ms/);
    assert.doesNotMatch(md, /\$[a-z]/, 'every placeholder filled');
  });
});
