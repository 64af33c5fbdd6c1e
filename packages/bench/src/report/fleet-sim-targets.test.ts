import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FleetSimFigures, type FleetSimStep, judgeStep } from '../fleet-sim/fleet-sim-bench.js';
import { summarize } from '../stats.js';
import { fleetSimSection } from './fleet-sim-markdown.js';
import { fleetSimRow } from './targets.js';

/** A step shaped as the benchmark measures it; the numbers are the test's choice. */
function step(servers: number, minutes: number, metAll: boolean): FleetSimStep {
  return {
    servers,
    windowS: minutes * 60,
    toDataS: 12,
    loadAverage: { start: [3, 3, 3], end: [4, 4, 4] },
    cpu: {
      backend: 0.8,
      simulator: 0.5,
      webAndHarness: 0.1,
      machineBusy: 1.6,
      machineIowait: 0.1,
      backendByWho: [{ who: 'pharos-agent-N-ship', cores: 0.5, processes: 50 }],
    },
    newestSampleAge: { ...summarize([1, 5, 9], 's'), readings: 3, serversWithoutDataAtEnd: 0 },
    shipLag: { ...summarize([0, 1, 2], 's'), readings: 3 },
    sim: {
      appendedPerS: 100,
      shippedPerS: 100,
      shipErrors: 0,
      heartbeatsFailed: 0,
      skippedTicks: 0,
      spooledAtEnd: 5,
    },
    alerts: {
      enabled: 100,
      evaluatedPerS: 2,
      due: summarize([0, 1], 'alerts'),
      oldestLateS: summarize([0, 1], 's'),
      maxLateIntervals: 0.1,
      workerError: null,
    },
    overview: {
      requests: 10,
      failed: 0,
      p50Ms: 20,
      p95Ms: 40,
      maxMs: 50,
      answerBytes: 1000,
      failedByStatus: {},
    },
    storage: { bytesPerDay: 1e9, historyBytesAtEnd: 1e8, insertedRowsPerS: 100 },
    walBytesPerS: 1e6,
    topStatements: [{ query: 'SELECT pem.ingest_batch($1)', calls: 10, totalMs: 100, meanMs: 10, rows: 10 }],
    waits: {
      samples: 20,
      byWait: [{ wait: 'CPU', sessions: 1.5 }],
      top: [
        { who: 'pharos-agent-N-ship', wait: 'CPU', query: 'SELECT pem.ingest_samples($1)', sessions: 1.5 },
      ],
    },
    met: { ingestLag: metAll, alerts: true, overview: true, all: metAll },
  };
}

function figures(steps: FleetSimStep[]): FleetSimFigures {
  let largest = 0;
  for (const s of steps) if (s.met.all) largest = s.servers;
  return {
    setup: {
      agents: 50,
      processes: 2,
      postgresSettings: 'fsync=on',
      recording: { samples: 39655, sources: 15 },
      startS: 30,
      enrolS: 200,
    },
    steps,
    largestMeetingTargets: largest,
  };
}

const source = 'bench/src/fleet-sim/fleet-sim-bench.ts';

describe('the 5,000-server target row', () => {
  it('is met only by a top step of 5,000 servers for 10 minutes that met every target', () => {
    const ok = fleetSimRow({
      measured: true,
      source,
      seconds: 1,
      figures: figures([step(500, 3, true), step(5000, 10, true)]),
    });
    assert.equal(ok.met, true);
    assert.match(ok.measured, /Largest fleet meeting the targets: 5000 servers/);
    const short = fleetSimRow({
      measured: true,
      source,
      seconds: 1,
      figures: figures([step(5000, 5, true)]),
    });
    assert.equal(short.met, false);
    const small = fleetSimRow({
      measured: true,
      source,
      seconds: 1,
      figures: figures([step(2000, 10, true)]),
    });
    assert.equal(small.met, false);
    const lagging = fleetSimRow({
      measured: true,
      source,
      seconds: 1,
      figures: figures([step(1000, 3, true), step(5000, 10, false)]),
    });
    assert.equal(lagging.met, false);
    assert.match(lagging.measured, /Largest fleet meeting the targets: 1000 servers/);
  });

  it('says why when the benchmark did not run', () => {
    const row = fleetSimRow({ measured: false, source, reason: 'failed: address in use' });
    assert.equal(row.met, undefined);
    assert.match(row.measured, /address in use/);
    assert.equal(fleetSimRow(undefined).met, undefined);
  });

  it('renders one column per step and the statements of the top step', () => {
    const md = fleetSimSection({
      measured: true,
      source,
      seconds: 1,
      figures: figures([step(500, 3, true), step(5000, 10, false)]),
    }).join('\n');
    assert.match(md, /\| 500 servers \| 5000 servers \|/);
    assert.match(md, /Largest fleet that met every target: \*\*500 servers\*\*/);
    assert.match(md, /pem\.ingest_batch/);
  });
});

describe('a step is judged', () => {
  it('on ship lag p95 < 10 s and newest sample age p95 < 20 s, alerts less than an interval late, overview p95 <= 100 ms', () => {
    const s = step(500, 3, true);
    assert.deepEqual(judgeStep(s), { ingestLag: true, alerts: true, overview: true, all: true });
    const slowShip = { ...s, shipLag: { ...summarize([1, 12, 12], 's'), readings: 3 } };
    assert.equal(judgeStep(slowShip).ingestLag, false);
    const stale = {
      ...s,
      newestSampleAge: { ...summarize([5, 21, 21], 's'), readings: 3, serversWithoutDataAtEnd: 0 },
    };
    assert.equal(judgeStep(stale).ingestLag, false);
    assert.equal(judgeStep({ ...s, alerts: { ...s.alerts, maxLateIntervals: 1.2 } }).all, false);
    assert.equal(judgeStep({ ...s, overview: { ...s.overview, p95Ms: 101 } }).overview, false);
  });
});
