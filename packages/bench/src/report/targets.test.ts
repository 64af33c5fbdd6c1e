import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FailoverFigures, FaultFigures, FaultRun } from '../failover/failover-bench.js';
import type { ConnectFigures } from '../failover/first-connection.js';
import { summarize } from '../stats.js';
import { issue19Targets } from './targets.js';

function run(backendGapS: number, shipGapS: number, pharosGapS: number, lost = 0): FaultRun {
  return {
    backendGapS,
    pharosGapS,
    pharosDefaultGapS: pharosGapS,
    psqlGapS: pharosGapS,
    shipGapS,
    samplesChecked: 100,
    lost,
    duplicated: 0,
    holes: 0,
    pharosWritesLost: 0,
    pharosDefaultWritesLost: 0,
    psqlWritesLost: 0,
    marksS: {},
    notes: [],
  };
}

function fault(name: string, runs: FaultRun[]): FaultFigures {
  const s = (f: (r: FaultRun) => number) => summarize(runs.map(f), 's');
  return {
    fault: name,
    runs,
    backendGap: s((r) => r.backendGapS),
    pharosGap: s((r) => r.pharosGapS),
    pharosDefaultGap: s((r) => r.pharosDefaultGapS),
    psqlGap: s((r) => r.psqlGapS),
    shipGap: s((r) => r.shipGapS),
    lost: runs.reduce((n, r) => n + r.lost, 0),
    duplicated: 0,
  };
}

function failover(blackHoledS: number[], faults: FaultFigures[]): FailoverFigures {
  const fc: ConnectFigures = {
    scenario: 'first host black-holed',
    conninfo: 'host=a,b',
    pharos: summarize(blackHoledS, 's'),
    psql: summarize([2.1, 2.2], 's'),
    pharosFailures: 0,
    psqlFailures: 0,
  };
  return {
    lab: { upS: 40, ttlS: 30, loopWaitS: 10, retryTimeoutS: 10, probeIntervalS: 2 },
    conninfo: 'host=a,b',
    firstConnection: [fc],
    faults,
  };
}

const byFigure = (rows: ReturnType<typeof issue19Targets>, prefix: string) =>
  rows.find((r) => r.figure.startsWith(prefix))!;

describe('issue 19 targets', () => {
  it('judges gaps run by run against that run’s own gap', () => {
    const f = failover(
      [0.52, 0.55],
      [
        fault('switchover', [run(2.5, 2.9, 2.7), run(3.1, 3.5, 3.3)]),
        fault('kill -9 of the leader (Patroni + PostgreSQL)', [run(30, 31.2, 30.1)]),
      ],
    );
    const rows = issue19Targets(
      { measured: true, seconds: 1, figures: f },
      { measured: false, reason: 'skipped (--only)' },
    );
    assert.equal(byFigure(rows, 'first connection').met, true);
    assert.equal(byFigure(rows, "agents' ship gap, switchover").met, true);
    assert.equal(byFigure(rows, 'Pharos write gap, switchover').met, true);
    assert.equal(byFigure(rows, "agents' ship gap, killed leader").met, false, '1.2 s over its own gap');
    assert.equal(byFigure(rows, 'ingest').met, undefined);
    assert.match(byFigure(rows, 'ingest').measured, /skipped/);
    assert.equal(byFigure(rows, 'storage').met, undefined);
  });

  it('one slow run or one lost sample fails a target', () => {
    const slow = failover([0.5, 0.61], [fault('switchover', [run(2.5, 2.9, 2.7), run(2.5, 3.1, 2.9, 1)])]);
    const rows = issue19Targets(
      { measured: true, seconds: 1, figures: slow },
      { measured: false, reason: 'skipped' },
    );
    assert.equal(byFigure(rows, 'first connection').met, false);
    assert.equal(byFigure(rows, "agents' ship gap, switchover").met, false);
    assert.equal(byFigure(rows, 'Pharos write gap, switchover').met, false);
    assert.match(byFigure(rows, "agents' ship gap, switchover").measured, /lost 1/);
  });
});
