import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NewSample } from '@pharos/agent/sample';
import { loadRecording, Replay } from './recording.js';

const rec = loadRecording();

test('the recording has a stream of each kind the simulated fleet replays', () => {
  for (const source of ['inventory', 'orders/db-host-2', 'orders/db-host-3', 'host:db-host-1'])
    assert.ok(rec.streams.get(source)?.samples.length, source);
  assert.equal(rec.streams.get('inventory')!.kind, 'standalone');
  assert.equal(rec.intervals.get('server_up'), 10);
});

test('a replay over three loops keeps counters monotonic, times rising, and every other field as recorded', () => {
  const stream = rec.streams.get('orders/db-host-2')!;
  assert.ok(stream.counterSpans.size > 0, 'the leader has counter series');
  const start = Date.parse('2026-12-07T00:00:00Z');
  const r = new Replay(stream, 42, stream.loopS / 2, start);
  const out: NewSample[] = [];
  for (let ms = start; ms <= start + 3 * stream.loopS * 1000; ms += 1000) r.due(ms, out);
  assert.ok(out.length > 2 * stream.samples.length, `${out.length} samples over three loops`);
  let lastT = 0;
  const last = new Map<string, number>();
  for (const s of out) {
    assert.equal(s.serverId, 42);
    const t = Date.parse(s.collectedAt);
    assert.ok(t >= lastT && t <= start + 3 * stream.loopS * 1000);
    lastT = t;
    for (const c of ['xact_commit', 'blks_hit', 'wal_bytes']) {
      const v = s.value[c];
      if (typeof v !== 'number') continue;
      const k = `${s.probe}/${s.object}/${c}`;
      assert.ok(v >= (last.get(k) ?? Number.NEGATIVE_INFINITY), `${k} went back to ${v}`);
      last.set(k, v);
    }
  }
  // the fields of every replayed sample are those of a recorded sample of the same probe
  const recorded = new Map(stream.samples.map((s) => [s.probe, Object.keys(s.value).sort().join(',')]));
  for (const s of out) assert.equal(Object.keys(s.value).sort().join(','), recorded.get(s.probe), s.probe);
});

test("the recording's cadence is each probe's default interval (probes.sql)", () => {
  for (const source of ['inventory', 'orders/db-host-2', 'orders/db-host-3']) {
    const times = new Map<string, number[]>();
    for (const s of rec.streams.get(source)!.samples) {
      const t = times.get(s.probe) ?? [];
      if (t.length === 0 || Math.round(s.t) !== t[t.length - 1]) t.push(Math.round(s.t));
      times.set(s.probe, t);
    }
    let checked = 0;
    for (const [probe, t] of times) {
      if (t.length < 3) continue; // 'changes' probes (server_info) and the hourly ones
      const gaps = t
        .slice(1)
        .map((x, i) => x - t[i]!)
        .sort((a, b) => a - b);
      const median = gaps[gaps.length >> 1]!;
      // whole seconds of the recorded times: within a second of the interval
      assert.ok(Math.abs(median - rec.intervals.get(probe)!) <= 1, `${source} ${probe}: every ${median} s`);
      checked++;
    }
    assert.ok(checked >= 20, `${source}: ${checked} probes checked`);
  }
});
