/**
 * Replays the samples recorded from a running lab's agents
 * (packages/bench/fixtures/lab-samples.jsonl.gz, written by
 * recorded/record-lab-samples.ts: one JSON per line `{source, kind, probe,
 * object, t, value}`, `t` seconds since the recording's start) as the
 * history of a larger, longer fleet, without inventing a value:
 *
 * - server `i` (1..servers) replays the recorded stream of the database
 *   source `i mod` (the 6 database sources: standalone, Patroni leader and
 *   replica, pem backends) and its agent's host replays the host source
 *   `i mod` (the 9 hosts), as server 0 of agent `i`;
 * - the recording is looped: loop `k` is shifted by `k` × the recording's
 *   span, plus a phase of a few seconds per server (agents do not start at
 *   the same instant);
 * - a numeric field that never went down and went up in the recording (a
 *   counter: xact_commit, rx_bytes, ...) continues across loops: loop `k`
 *   adds `k` × (its recorded increase + one mean step), rounded when the
 *   field's values are integers, so counters stay monotonic like real ones;
 *   every other field repeats as recorded.
 *
 * Output: PostgreSQL COPY text rows of `pemhistory.sample`'s columns (agent_id,
 * sample_id, server_id, probe, object, collected_at, value), sample ids
 * consecutive per agent, as the agents' spools number them.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { JsonValue } from '@pharos/agent/sample';
import { copyTextRow } from '@pharos/agent/ship/copy-text';

/** One recorded line of the fixture. */
export interface RecordedSample {
  source: string;
  kind: string;
  probe: string;
  object: string;
  t: number;
  value: unknown;
}

/** The recording, grouped per source, each in time order. */
export interface Recording {
  /** Database sources (kind ≠ host) and host sources, each a list of samples in time order. */
  databases: RecordedSample[][];
  hosts: RecordedSample[][];
  /** Seconds one loop of the recording lasts (its last `t`, rounded up, plus 10 s). */
  spanS: number;
  /** Per source and series key (probe, object, field): the step a counter continues by per loop. */
  counterStep: Map<RecordedSample[], Map<string, number>>;
}

/** Reads and groups the fixture at `path`. Errors: throws when the file is missing or a line is not JSON. */
export function readRecording(path: string): Recording {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  const bySource = new Map<string, RecordedSample[]>();
  let maxT = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const s = JSON.parse(line) as RecordedSample;
    maxT = Math.max(maxT, s.t);
    const list = bySource.get(s.source) ?? [];
    list.push(s);
    bySource.set(s.source, list);
  }
  const databases: RecordedSample[][] = [];
  const hosts: RecordedSample[][] = [];
  const counterStep = new Map<RecordedSample[], Map<string, number>>();
  for (const [, list] of [...bySource].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => a.t - b.t);
    (list[0]!.kind === 'host' ? hosts : databases).push(list);
    counterStep.set(list, counterSteps(list));
  }
  return { databases, hosts, spanS: Math.ceil(maxT) + 10, counterStep };
}

const fieldKey = (s: RecordedSample, field: string) => `${s.probe}\u0000${s.object}\u0000${field}`;

/** The per-loop step of every counter of one source (module note). */
function counterSteps(list: RecordedSample[]): Map<string, number> {
  const seen = new Map<string, { first: number; last: number; n: number; up: boolean; ints: boolean }>();
  for (const s of list) {
    if (s.value === null || typeof s.value !== 'object' || Array.isArray(s.value)) continue;
    for (const [f, x] of Object.entries(s.value as Record<string, unknown>)) {
      if (typeof x !== 'number') continue;
      const k = fieldKey(s, f);
      const c = seen.get(k);
      if (!c) seen.set(k, { first: x, last: x, n: 1, up: true, ints: Number.isInteger(x) });
      else {
        if (x < c.last) c.up = false;
        c.last = x;
        c.n++;
        c.ints &&= Number.isInteger(x);
      }
    }
  }
  const steps = new Map<string, number>();
  for (const [k, c] of seen) {
    if (!c.up || c.last <= c.first || c.n < 2) continue;
    const step = c.last - c.first + (c.last - c.first) / (c.n - 1);
    steps.set(k, c.ints ? Math.round(step) : step);
  }
  return steps;
}

/** What {@link replayFleet} writes. */
export interface ReplayCounts {
  samples: number;
  /** Fields of the samples' values (a value that is not an object counts as one). */
  values: number;
}

/** One replayed stream: a recorded source as one server (or one agent's host) over [fromMs, toMs). */
export interface ReplayStream {
  source: RecordedSample[];
  agentId: number;
  serverId: number;
  fromMs: number;
  toMs: number;
  phaseS: number;
  /** Only these probes (all when absent). */
  probes?: ReadonlySet<string>;
}

/**
 * Writes the COPY text of `streams` through `write` (called with chunks of
 * about 1 MB), numbering samples per agent from `nextSampleId` (updated).
 * Samples come out in time order per stream.
 */
export function replayStreams(
  rec: Recording,
  streams: readonly ReplayStream[],
  nextSampleId: Map<number, number>,
  write: (chunk: string) => void,
): ReplayCounts {
  let samples = 0;
  let values = 0;
  let buf: string[] = [];
  let bufLen = 0;
  for (const st of streams) {
    const steps = rec.counterStep.get(st.source)!;
    const spanMs = rec.spanS * 1000;
    for (let k = 0; ; k++) {
      const loopStart = st.fromMs + k * spanMs + st.phaseS * 1000;
      if (loopStart >= st.toMs) break;
      for (const s of st.source) {
        const at = loopStart + Math.round(s.t * 1000);
        if (at >= st.toMs) break;
        if (st.probes && !st.probes.has(s.probe)) continue;
        let value = s.value;
        if (k > 0 && value !== null && typeof value === 'object' && !Array.isArray(value)) {
          const v: Record<string, unknown> = { ...(value as Record<string, unknown>) };
          for (const [f, x] of Object.entries(v)) {
            const step = typeof x === 'number' ? steps.get(fieldKey(s, f)) : undefined;
            if (step !== undefined) v[f] = (x as number) + k * step;
          }
          value = v;
        }
        values +=
          value !== null && typeof value === 'object' && !Array.isArray(value)
            ? Object.keys(value).length
            : 1;
        const id = nextSampleId.get(st.agentId) ?? 1;
        nextSampleId.set(st.agentId, id + 1);
        const row = `${st.agentId}\t${copyTextRow({
          sampleId: id,
          serverId: st.serverId,
          probe: s.probe,
          object: s.object,
          collectedAt: new Date(at).toISOString(),
          value: value as { [key: string]: JsonValue },
        })}`;
        buf.push(row);
        bufLen += row.length;
        samples++;
        if (bufLen > 1 << 20) {
          write(buf.join(''));
          buf = [];
          bufLen = 0;
        }
      }
    }
  }
  if (buf.length > 0) write(buf.join(''));
  return { samples, values };
}

/**
 * The streams of a fleet of `servers` servers (each with its agent's host)
 * over [fromMs, toMs) (module note), agent ids and server ids 1..servers.
 */
export function fleetStreams(rec: Recording, servers: number, fromMs: number, toMs: number): ReplayStream[] {
  const streams: ReplayStream[] = [];
  for (let i = 1; i <= servers; i++) {
    const phaseS = (i * 7.3) % 10;
    streams.push({
      source: rec.databases[i % rec.databases.length]!,
      agentId: i,
      serverId: i,
      fromMs,
      toMs,
      phaseS,
    });
    streams.push({ source: rec.hosts[i % rec.hosts.length]!, agentId: i, serverId: 0, fromMs, toMs, phaseS });
  }
  return streams;
}
