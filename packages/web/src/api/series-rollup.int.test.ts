/**
 * The chart rollup (006_rollup.sql) on a real backend: history stored through
 * pem.ingest_batch (with a counter reset and a gap), rolled up by
 * pem.rollup_history as the history_rollup job does, and read by the series
 * API as the web service role. Every width (60, 300, 3600 s) gives the same
 * answer as the samples, to the last bit of the statement's figures; late
 * samples are recorded and recomputed; the rollup follows the probes' retention.
 *
 * Addresses: 127.0.5.30 backend, 127.0.5.33 harness.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HaConnection } from '@pharos/core/ha/connection';
import { PASSWORDS, startTestBackend, type TestBackend } from '../testing/backend-fixture.js';
import { historySql } from '../testing/synthetic-history.js';
import { readSeries, type SeriesAnswer, type SeriesMode, seriesStatement } from './series-query.js';
import { planSeries, type SeriesPlan } from './series-range.js';

const BACKEND = '127.0.5.30';
const HARNESS = '127.0.5.33';

const HOUR = 3600;

/** The charts compared: probe, fields, mode. */
const CHARTS: [string, string[], SeriesMode][] = [
  ['database_stats', ['xact_commit', 'xact_rollback'], 'rate'],
  ['database_stats', ['blks_hit'], 'gauge'],
  ['connections_by_state', ['connections'], 'gauge'],
  ['replication_lag', ['lag_bytes', 'replay_lag_s'], 'gauge'],
];

/** Relative difference of two answers' figures (0 = the same); throws when their shapes differ. */
function difference(a: SeriesAnswer, b: SeriesAnswer): number {
  assert.deepEqual(a.t, b.t);
  assert.deepEqual(
    a.series.map((s) => [s.object, s.field, s.resets]),
    b.series.map((s) => [s.object, s.field, s.resets]),
  );
  let worst = 0;
  a.series.forEach((s, i) => {
    const r = b.series[i]!;
    for (const key of ['values', 'min', 'max'] as const) {
      s[key]?.forEach((x, j) => {
        const y = r[key]![j]!;
        if (x === null || y === null) worst = Math.max(worst, x === y ? 0 : 1);
        else worst = Math.max(worst, Math.abs(x - y) / Math.max(1e-12, Math.abs(x), Math.abs(y)));
      });
    }
  });
  return worst;
}

describe('chart rollup against the samples', { timeout: 300_000 }, () => {
  let backend: TestBackend;
  let web: HaConnection;
  const nowS = Math.floor(Date.now() / 1000);
  const fromS = nowS - 6 * HOUR;

  /** Runs pem.rollup_history until it has caught up; returns the runs and the late ranges recomputed. */
  const rollUp = async () => {
    let late = 0;
    for (let run = 1; ; run++) {
      const r = JSON.parse(await backend.psql('SELECT pem.rollup_history()')) as {
        caught_up: boolean;
        late_ranges: number;
      };
      late += r.late_ranges;
      if (r.caught_up) return { runs: run, late };
      assert.ok(run < 50, 'the rollup catches up');
    }
  };
  const read = (probe: string, fields: string[], mode: SeriesMode, plan: SeriesPlan) =>
    readSeries(web, { serverId: 1, probe, fields, mode, plan });
  /** Plans of the 6-hour range at each rollup width. */
  const plans = () =>
    [150, 30, 3].map((points) => planSeries(fromS, nowS, points)).filter((p) => p.rollupS > 0);

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [HARNESS],
      harnessAddress: HARNESS,
    });
    web = new HaConnection({
      conninfo: `${backend.backendConninfo()} password=${PASSWORDS.pemweb}`,
      sourceAddress: HARNESS,
    });
    // 6 hours at 20 s with a 40-minute gap; the counters reset at sample 300 of the first part;
    // the second part is collected off the whole seconds, as agents' timers drift.
    const probes = ['database_stats', 'connections_by_state', 'replication_lag'] as const;
    await backend.psql(`CREATE ROLE agent1 IN ROLE pem_agent; SET SESSION AUTHORIZATION agent1;
      ${historySql({ agentId: 1, serverIds: [1], fromS, toS: nowS - 3 * HOUR, stepS: 20, firstSampleId: 1000, resetAt: 300, probes: [...probes] })}
      ${historySql({ agentId: 1, serverIds: [1], fromS: nowS - 3 * HOUR + 2400, toS: nowS, stepS: 20, firstSampleId: 100_000, probes: [...probes], jitter: true })}
      RESET SESSION AUTHORIZATION;`);
  });

  after(async () => {
    await web?.close();
    await backend?.stop();
  });

  it('rolls the history up to two minutes ago, one claimed hour per run, the charted fields only', async () => {
    const { runs } = await rollUp();
    assert.ok(runs >= 6, `${runs} runs for 6 hours`);
    const behindS = Number(
      await backend.psql('SELECT extract(epoch FROM now() - rolled_through) FROM pemhistory.rollup_state'),
    );
    assert.ok(behindS >= 120 && behindS < 240, `rolled through ${behindS} s ago`);
    assert.equal(
      await backend.psql(
        "SELECT string_agg(DISTINCT field, ',' ORDER BY field) FROM pemhistory.rollup WHERE probe = 'database_stats'",
      ),
      'blks_hit,blks_read,xact_commit,xact_rollback',
    );
    assert.equal(
      await backend.psql(
        "SELECT string_agg(DISTINCT width_s::text, ',' ORDER BY width_s::text) FROM pemhistory.rollup",
      ),
      '300,3600,60',
    );
  });

  it('answers as the samples do at every width: gauges, rates across a reset and a gap', async () => {
    const ps = plans();
    assert.deepEqual(
      ps.map((p) => p.rollupS),
      [60, 300, 3600],
    );
    for (const plan of ps) {
      for (const [probe, fields, mode] of CHARTS) {
        const fromRollup = await read(probe, fields, mode, plan);
        const fromSamples = await read(probe, fields, mode, { ...plan, rollupS: 0 });
        const what = `${probe} ${fields} ${mode} at ${plan.rollupS} s`;
        assert.ok(fromRollup.series.length > 0, what);
        assert.equal(difference(fromRollup, fromSamples), 0, what);
        if (mode === 'rate') {
          const commits = fromRollup.series.find((s) => s.field === 'xact_commit')!;
          assert.equal(commits.resets, 1, `${what}: the reset is counted once`);
          assert.ok(
            commits.values.every((x) => x === null || (x > 30 && x < 70)),
            `${what}: about 50/s`,
          );
        }
      }
    }
    const fine = await read('database_stats', ['xact_commit'], 'rate', ps[0]!);
    const gapStart = ps[0]!.starts.findIndex((t) => t >= nowS - 3 * HOUR + 600);
    assert.equal(fine.series[0]!.values[gapStart], null, 'the gap stays a gap');
  });

  it('gives the very figures of the samples (exact sums whatever their grouping, not float sums)', async () => {
    // Float sums of fractional values (replay_lag_s in tenths, seconds between samples off the
    // whole second) depend on the grouping (per minute, per chunk of the job, per bucket), so the
    // rollup's figures differed from the samples' in their last bits, and after the answer's
    // rounding to 6 digits by one unit where a mean fell on a half (e.g. 0.2984375 of 320 samples).
    for (const plan of plans()) {
      for (const [probe, fields, mode] of CHARTS) {
        const rows = async (rollupS: number) => {
          const { text, params } = seriesStatement({
            serverId: 1,
            probe,
            fields,
            mode,
            plan: { ...plan, rollupS },
          });
          const found = await web.query<{ object: string; k: number; pts: (number | null)[][] }>(
            text,
            params,
          );
          // a rate bucket without pairs ([b, null, 0]: the rollup's row of a sample after a gap) is no data either way
          return found.rows.map((r) => ({
            ...r,
            pts: r.pts.filter((p) => mode === 'gauge' || p[1] !== null || p[2] !== 0),
          }));
        };
        assert.deepEqual(
          await rows(plan.rollupS),
          await rows(0),
          `${probe} ${fields} ${mode} at ${plan.rollupS} s`,
        );
      }
    }
  });

  it('reads the rollup below rolled_through (not the samples)', async () => {
    const plan = plans()[0]!;
    await backend.psql(
      "UPDATE pemhistory.rollup SET sum = sum + 1000 * n WHERE probe = 'connections_by_state' AND width_s = 60",
    );
    try {
      const a = await read('connections_by_state', ['connections'], 'gauge', plan);
      const rolledS = Number(
        await backend.psql('SELECT extract(epoch FROM rolled_through) FROM pemhistory.rollup_state'),
      );
      const active = a.series.find((s) => s.object === 'active')!.values;
      const below = active.filter((x, i) => x !== null && plan.starts[i]! + plan.bucketS <= rolledS);
      const above = active.filter((x, i) => x !== null && plan.starts[i]! >= rolledS);
      assert.ok(
        below.length > 50 && below.every((x) => x! > 1000),
        'below rolled_through: the rollup figures',
      );
      assert.ok(
        above.every((x) => x! < 1000),
        'from rolled_through on: the samples',
      );
    } finally {
      await backend.psql(
        "UPDATE pemhistory.rollup SET sum = sum - 1000 * n WHERE probe = 'connections_by_state' AND width_s = 60",
      );
    }
  });

  it('records late samples and recomputes their minutes, so the answers agree again', async () => {
    // A batch 4 to 5 hours old, 10 s off the grid: between samples already rolled up.
    await backend.psql(`SET SESSION AUTHORIZATION agent1;
      ${historySql({ agentId: 1, serverIds: [1], fromS: nowS - 5 * HOUR + 10, toS: nowS - 4 * HOUR, stepS: 20, firstSampleId: 900_000, probes: ['database_stats', 'connections_by_state'] })}
      RESET SESSION AUTHORIZATION;`);
    assert.ok(
      Number(await backend.psql('SELECT count(*) FROM pemhistory.rollup_dirty')) > 0,
      'recorded as late',
    );
    const plan = plans()[1]!;
    const [probe, fields, mode] = CHARTS[0]!;
    const stale = await read(probe, fields, mode, plan);
    assert.notDeepEqual(
      stale,
      await read(probe, fields, mode, { ...plan, rollupS: 0 }),
      'not recomputed yet',
    );
    const { late } = await rollUp();
    assert.equal(late, 2, 'one range per (server, probe)');
    assert.equal(await backend.psql('SELECT count(*) FROM pemhistory.rollup_dirty'), '0');
    for (const p of plans()) {
      for (const [pr, fs, m] of CHARTS) {
        const d = difference(await read(pr, fs, m, p), await read(pr, fs, m, { ...p, rollupS: 0 }));
        assert.equal(d, 0, `${pr} ${fs} at ${p.rollupS} s after the late samples`);
      }
    }
  });

  it('keeps the rollup as long as the history: the longest retention, and each probe its own', async () => {
    await backend.psql(`
      INSERT INTO pem.probe (name, level, interval_s, retention_days) VALUES
        ('database_stats', 'server', 10, 30), ('connections_by_state', 'server', 10, 2)
      ON CONFLICT (name) DO UPDATE SET retention_days = excluded.retention_days;
      INSERT INTO pemhistory.rollup (server_id, probe, width_s, field, bucket, object, n, sum, min, max) VALUES
        (1, 'database_stats', 3600, 'xact_commit', date_trunc('hour', now()) - interval '40 days', '', 1, 1, 1, 1),
        (1, 'database_stats', 3600, 'xact_commit', date_trunc('hour', now()) - interval '20 days', '', 1, 1, 1, 1),
        (1, 'connections_by_state', 3600, 'connections', date_trunc('hour', now()) - interval '3 days', 'idle', 1, 1, 1, 1);`);
    const before = Number(await backend.psql('SELECT count(*) FROM pemhistory.rollup'));
    assert.equal(await backend.psql('SELECT pem.expire_rollup()'), '2');
    assert.equal(
      await backend.psql("SELECT count(*) FROM pemhistory.rollup WHERE bucket < now() - interval '1 day'"),
      '1',
      'the 20-day-old row of a 30-day probe stays',
    );
    assert.equal(Number(await backend.psql('SELECT count(*) FROM pemhistory.rollup')), before - 2);
  });

  it('runs as the history_rollup job of pem.run_due_jobs', async () => {
    const rows = (await backend.psql("SELECT job || ' ' || status FROM pem.run_due_jobs(true)")).split('\n');
    assert.ok(rows.includes('history_rollup ok'), rows.join('; '));
    assert.ok(rows.includes('history_retention ok'), rows.join('; '));
  });
});
