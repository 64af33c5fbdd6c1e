import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fleetStreams, readRecording, replayStreams } from './replay.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/lab-samples.jsonl.gz', import.meta.url));

interface Row {
  agent: number;
  id: number;
  server: number;
  probe: string;
  object: string;
  at: number;
  value: Record<string, unknown>;
}

function parse(text: string): Row[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [agent, id, server, probe, object, at, value] = l.split('\t');
      return {
        agent: Number(agent),
        id: Number(id),
        server: Number(server),
        probe: probe!,
        object: object!,
        at: Date.parse(at!),
        value: JSON.parse(value!.replaceAll('\\\\', '\\')) as Record<string, unknown>,
      };
    });
}

describe('replayStreams', () => {
  const rec = readRecording(FIXTURE);
  const from = Date.parse('2026-12-01T00:00:00Z');
  const to = from + 3 * rec.spanS * 1000; // three loops
  let text = '';
  const counts = replayStreams(rec, fleetStreams(rec, 2, from, to), new Map(), (c) => {
    text += c;
  });
  const rows = parse(text);

  it('replays the 6 database and 9 host sources of the recording', () => {
    assert.equal(rec.databases.length, 6);
    assert.equal(rec.hosts.length, 9);
    assert.equal(rows.length, counts.samples);
    assert.ok(rows.every((r) => r.at >= from && r.at < to));
  });

  it('numbers samples consecutively per agent', () => {
    for (const agent of [1, 2]) {
      const ids = rows.filter((r) => r.agent === agent).map((r) => r.id);
      assert.deepEqual(
        ids,
        ids.map((_, i) => i + 1),
      );
    }
  });

  it('keeps counters monotonic across loops and repeats every other value as recorded', () => {
    // server 1's xact_commit of each database: a counter in the recording
    const series = new Map<string, number[]>();
    for (const r of rows
      .filter((x) => x.server === 1 && x.probe === 'database_stats')
      .sort((a, b) => a.at - b.at)) {
      const list = series.get(r.object) ?? [];
      list.push(r.value.xact_commit as number);
      series.set(r.object, list);
    }
    assert.ok(series.size > 0);
    for (const [object, xs] of series) {
      for (let i = 1; i < xs.length; i++)
        assert.ok(xs[i]! >= xs[i - 1]!, `${object}: ${xs[i - 1]} then ${xs[i]}`);
      assert.ok(xs.at(-1)! > xs[0]!, `${object} grows`);
    }
    // a gauge (cpu busy_pct of host samples) only takes recorded values
    const recorded = new Set(
      rec.hosts.flatMap((h) =>
        h.filter((s) => s.probe === 'cpu').map((s) => (s.value as { busy_pct: number }).busy_pct),
      ),
    );
    const replayed = rows.filter((r) => r.server === 0 && r.probe === 'cpu').map((r) => r.value.busy_pct);
    assert.ok(replayed.length > 0);
    assert.ok(replayed.every((v) => recorded.has(v as number)));
  });
});
