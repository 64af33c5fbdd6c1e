/**
 * Fills a backend's pemdata.latest with the recorded lab samples
 * (packages/bench/fixtures/lab-samples.jsonl.gz, written by
 * record-lab-samples.ts: one `{source, kind, probe, object, t, value}` per
 * line) for any number of servers, through the real ingest function
 * pem.ingest_batch, so that pemdata.latest holds what ingest writes (value,
 * prev_value, prev_collected_at) for real-shaped values.
 *
 * Server k (1..n) takes the recorded server source `k mod 6` (inventory,
 * orders/db-host-2/3, pem-backend-1/2/3: every probe and object the lab's
 * agents stored for it) and the recorded host source `k mod 9` (its agent's
 * host probes, server 0). Of every (source, probe, object) the two newest
 * samples are shipped, so pemdata.latest holds the newest value and the one
 * before it, as after minutes of monitoring; values are the recorded ones,
 * unchanged (no field is added or changed); times are the recorded ones moved
 * so the newest sample of the recording is `endAgeS` + (k mod 10) seconds old.
 *
 * The caller says which agent ships server k's batch (`agentOf`); the SQL
 * runs as that agent's database user (ingest_batch checks session_user).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { HaConnection } from '@pharos/core/ha/connection';

/** The fixture recorded from a lab (record-lab-samples.ts). */
export const LAB_SAMPLES = new URL('../../fixtures/lab-samples.jsonl.gz', import.meta.url);

/** One recorded line. */
export interface RecordedSample {
  source: string;
  kind: string;
  probe: string;
  object: string;
  /** Seconds since the recording's start. */
  t: number;
  value: unknown;
}

/** The two newest samples of every (probe, object) of one recorded source. */
export interface RecordedSource {
  source: string;
  kind: string;
  /** Ordered oldest first within each (probe, object); `ageS` before the recording's end. */
  samples: { probe: string; object: string; ageS: number; value: unknown }[];
}

/** The recording split into its server sources and its host sources (name order). */
export interface Recording {
  servers: RecordedSource[];
  hosts: RecordedSource[];
  /** Samples in the file. */
  lines: number;
}

/** Reads and splits the recording (about 40,000 lines; a second or two). */
export function readRecording(file: URL | string = LAB_SAMPLES): Recording {
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const bySource = new Map<string, { kind: string; objects: Map<string, RecordedSample[]> }>();
  let end = 0;
  let lines = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    lines++;
    const s = JSON.parse(line) as RecordedSample;
    end = Math.max(end, s.t);
    const src = bySource.get(s.source) ?? { kind: s.kind, objects: new Map<string, RecordedSample[]>() };
    bySource.set(s.source, src);
    const key = `${s.probe}\u0000${s.object}`;
    const list = src.objects.get(key) ?? [];
    list.push(s);
    list.sort((a, b) => a.t - b.t);
    if (list.length > 2) list.shift();
    src.objects.set(key, list);
  }
  const sources = [...bySource.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([source, { kind, objects }]) => ({
      source,
      kind,
      samples: [...objects.values()].flatMap((list) =>
        list.map((s) => ({ probe: s.probe, object: s.object, ageS: end - s.t, value: s.value })),
      ),
    }));
  return {
    servers: sources.filter((s) => s.kind !== 'host'),
    hosts: sources.filter((s) => s.kind === 'host'),
    lines,
  };
}

/** Options of {@link replayLatest}. */
export interface ReplayOptions {
  /** Servers fromServer..servers are filled. */
  servers: number;
  /** First server to fill (default 1): a larger fleet can be grown from a smaller one. */
  fromServer?: number;
  /** The agent that ships server k's samples (bound to it); its host samples are written once per agent. */
  agentOf: (serverId: number) => number;
  /** First sample_id to use; ids grow by one per sample. Returns the next free one. */
  firstSampleId: number;
  /** Age of the recording's newest sample at the backend, seconds (default 5). */
  endAgeS?: number;
  /** Connections used side by side (default 2). */
  parallel?: number;
}

/**
 * Ships the recording for servers fromServer..servers through pem.ingest_batch over `db`
 * (connections of the agents' database user), one batch per server (its
 * agent's host samples ride with the first server of that agent). Returns
 * the samples shipped and the next free sample_id.
 * @throws the backend's error when a batch fails (e.g. a server not bound to its agent).
 */
export async function replayLatest(
  dbs: readonly HaConnection[],
  recording: Recording,
  opts: ReplayOptions,
): Promise<{ samples: number; nextSampleId: number }> {
  const endAgeS = opts.endAgeS ?? 5;
  const nowMs = Date.now();
  const hostDone = new Set<number>();
  const jobs: { agentId: number; rows: unknown[] }[] = [];
  let sampleId = opts.firstSampleId;
  for (let k = opts.fromServer ?? 1; k <= opts.servers; k++) {
    const agentId = opts.agentOf(k);
    const shift = endAgeS + (k % 10);
    const rows: unknown[] = [];
    const add = (serverId: number, src: RecordedSource) => {
      for (const s of src.samples)
        rows.push({
          sample_id: sampleId++,
          server_id: serverId,
          probe: s.probe,
          object: s.object,
          collected_at: new Date(nowMs - (s.ageS + shift) * 1000).toISOString(),
          value: s.value,
        });
    };
    add(k, recording.servers[k % recording.servers.length]!);
    if (!hostDone.has(agentId)) {
      hostDone.add(agentId);
      add(0, recording.hosts[agentId % recording.hosts.length]!);
    }
    jobs.push({ agentId, rows });
  }
  let next = 0;
  let samples = 0;
  await Promise.all(
    dbs.map(async (db) => {
      await db.query(`CREATE TEMP TABLE IF NOT EXISTS incoming_sample (sample_id bigint, server_id integer,
        probe text, object text, collected_at timestamptz, value jsonb) ON COMMIT DELETE ROWS`);
      while (next < jobs.length) {
        const job = jobs[next++]!;
        await db.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO pg_temp.incoming_sample SELECT * FROM jsonb_to_recordset($1::jsonb)
               AS x(sample_id bigint, server_id integer, probe text, object text, collected_at timestamptz, value jsonb)`,
            [JSON.stringify(job.rows)],
          );
          await tx.query('SELECT pem.ingest_batch($1, gen_random_uuid())', [job.agentId]);
        });
        samples += job.rows.length;
      }
    }),
  );
  return { samples, nextSampleId: sampleId };
}
