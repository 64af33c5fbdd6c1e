/**
 * The recorded samples the simulated agents replay
 * (packages/bench/fixtures/lab-samples.jsonl.gz, written by
 * recorded/record-lab-samples.ts from a real lab's `pemhistory.sample`: one
 * JSON object a line, `{source, kind, probe, object, t, value}`, `t` in
 * seconds from the recording's start).
 *
 * - {@link loadRecording}: the streams of the recording, one per source,
 *   sorted by `t`, with each counter column's span (below). Counter columns
 *   are those the probe catalogue marks as counters (`counter_columns` of
 *   packages/backend/sql/catalogue/probes.sql, generated from the agent's
 *   probe definitions).
 * - {@link Replay}: one simulated server's (or agent host's) replay of a
 *   stream, started at a phase `offsetS` into the recording. Each sample
 *   keeps its probe, object and value; its collection time is shifted to
 *   the wall clock (`t` − the replay's origin). At the end of the recording
 *   the replay starts again (a loop of the recording's length plus the
 *   shortest probe interval, 10 s, so the 10-s probes keep their cadence
 *   across the seam), and each counter column of loop n is its recorded
 *   value + n × span, span = (last − first) × k / (k − 1) over the k
 *   samples of its series (probe, object, column) in that stream: the
 *   recorded deltas continue and counters stay monotonic. Nothing else is
 *   changed; no value or field is invented.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { JsonValue, NewSample } from '@pharos/agent/sample';

/** One line of the recording. */
export interface RecordedSample {
  source: string;
  /** standalone, patroni-leader, patroni-replica, pem-backend or host. */
  kind: string;
  probe: string;
  object: string;
  /** Seconds since the recording's start. */
  t: number;
  value: { [key: string]: JsonValue };
}

/** The samples of one source, sorted by `t`. */
export interface Stream {
  source: string;
  kind: string;
  samples: RecordedSample[];
  /** First and last `t`, seconds. */
  firstT: number;
  lastT: number;
  /** Length of one loop of the replay, seconds (module note). */
  loopS: number;
  /** `${probe}\u0000${object}\u0000${column}` -> span added per loop (module note). */
  counterSpans: Map<string, number>;
}

/** The recording: streams by source, and the probe catalogue's intervals. */
export interface Recording {
  streams: Map<string, Stream>;
  /** Probe name -> default interval, seconds (probes.sql). */
  intervals: Map<string, number>;
  /** Samples in the file. */
  samples: number;
}

/** The shortest default probe interval, seconds (probes.sql: the 10-s probes). */
export const SEAM_S = 10;

/** packages/bench/dist/fleet-sim -> the fixture and the probe catalogue. */
export const FIXTURE = new URL('../../fixtures/lab-samples.jsonl.gz', import.meta.url);
export const PROBE_CATALOGUE = new URL('../../../backend/sql/catalogue/probes.sql', import.meta.url);

interface CatalogueProbe {
  name: string;
  interval_s: number;
  counter_columns: string[];
}

/**
 * The probe catalogue of probes.sql (the JSON between `$catalogue$` quotes).
 * @throws naming the file when the JSON is not there.
 */
export function readProbeCatalogue(path: URL | string = PROBE_CATALOGUE): CatalogueProbe[] {
  const text = readFileSync(path, 'utf8');
  const m = /\$catalogue\$([\s\S]*?)\$catalogue\$/.exec(text);
  if (!m) throw new Error(`${String(path)}: no $catalogue$ JSON`);
  return JSON.parse(m[1]!) as CatalogueProbe[];
}

const seriesKey = (probe: string, object: string, column: string) => `${probe}\u0000${object}\u0000${column}`;

/**
 * Reads the recording and the probe catalogue.
 * @throws naming the file when it cannot be read or a line is not JSON.
 */
export function loadRecording(
  fixture: URL | string = FIXTURE,
  catalogue: URL | string = PROBE_CATALOGUE,
): Recording {
  const probes = readProbeCatalogue(catalogue);
  const counters = new Map(probes.map((p) => [p.name, new Set(p.counter_columns)]));
  const lines = gunzipSync(readFileSync(fixture)).toString('utf8').split('\n').filter(Boolean);
  const bySource = new Map<string, RecordedSample[]>();
  lines.forEach((line, i) => {
    let s: RecordedSample;
    try {
      s = JSON.parse(line) as RecordedSample;
    } catch (err) {
      throw new Error(`${String(fixture)} line ${i + 1}: not JSON (${(err as Error).message})`);
    }
    const list = bySource.get(s.source) ?? [];
    list.push(s);
    bySource.set(s.source, list);
  });
  const streams = new Map<string, Stream>();
  for (const [source, samples] of bySource) {
    samples.sort((a, b) => a.t - b.t);
    const series = new Map<string, number[]>();
    for (const s of samples) {
      const cols = counters.get(s.probe);
      if (!cols) continue;
      for (const c of cols) {
        const v = s.value[c];
        if (typeof v !== 'number') continue;
        const k = seriesKey(s.probe, s.object, c);
        const list = series.get(k) ?? [];
        list.push(v);
        series.set(k, list);
      }
    }
    const counterSpans = new Map<string, number>();
    for (const [k, vs] of series) {
      if (vs.length < 2) continue;
      const delta = vs[vs.length - 1]! - vs[0]!;
      if (!(delta > 0)) continue; // flat or reset within the recording: repeated as recorded
      const span = (delta * vs.length) / (vs.length - 1);
      counterSpans.set(k, vs.every(Number.isInteger) ? Math.round(span) : span);
    }
    const firstT = samples[0]!.t;
    const lastT = samples[samples.length - 1]!.t;
    streams.set(source, {
      source,
      kind: samples[0]!.kind,
      samples,
      firstT,
      lastT,
      loopS: lastT - firstT + SEAM_S,
      counterSpans,
    });
  }
  return { streams, intervals: new Map(probes.map((p) => [p.name, p.interval_s])), samples: lines.length };
}

/** The value of `s` in loop `loop`: counter columns moved on by `loop` spans (module note). */
export function loopValue(stream: Stream, s: RecordedSample, loop: number): { [key: string]: JsonValue } {
  if (loop === 0) return s.value;
  let out: { [key: string]: JsonValue } | undefined;
  for (const [c, v] of Object.entries(s.value)) {
    if (typeof v !== 'number') continue;
    const span = stream.counterSpans.get(seriesKey(s.probe, s.object, c));
    if (span === undefined) continue;
    out ??= { ...s.value };
    out[c] = v + loop * span;
  }
  return out ?? s.value;
}

/** One server's replay of a stream (module note). */
export class Replay {
  private index: number;
  private loop = 0;
  /** Wall-clock ms at which the replay's virtual time was 0 (the stream's firstT). */
  private readonly originMs: number;

  /**
   * @param stream what to replay
   * @param serverId the sample's server id (0: the agent's host)
   * @param offsetS phase into the loop, seconds (0 <= offsetS < loopS): spreads servers over the recording
   * @param startMs wall clock of the start, ms
   */
  constructor(
    private readonly stream: Stream,
    private readonly serverId: number,
    offsetS: number,
    startMs: number,
  ) {
    this.originMs = startMs - offsetS * 1000;
    // the first sample after the offset
    const at = stream.firstT + offsetS;
    let lo = 0;
    let hi = stream.samples.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (stream.samples[mid]!.t <= at) lo = mid + 1;
      else hi = mid;
    }
    this.index = lo;
    if (this.index === stream.samples.length) {
      this.index = 0;
      this.loop = 1;
    }
  }

  /** Appends to `out` every sample collected up to `nowMs` not yet given, in order. */
  due(nowMs: number, out: NewSample[]): void {
    const { samples, firstT, loopS } = this.stream;
    for (;;) {
      const s = samples[this.index]!;
      const atMs = this.originMs + (this.loop * loopS + (s.t - firstT)) * 1000;
      if (atMs > nowMs) return;
      out.push({
        probe: s.probe,
        serverId: this.serverId,
        object: s.object,
        collectedAt: new Date(atMs).toISOString(),
        value: loopValue(this.stream, s, this.loop),
      });
      if (++this.index === samples.length) {
        this.index = 0;
        this.loop++;
      }
    }
  }
}
