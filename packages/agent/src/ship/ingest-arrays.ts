/**
 * A batch's samples as the six array parameters of `pem.ingest_samples`
 * (packages/backend/sql/functions/ingest/08_ingest_samples.sql): element k of
 * each array is sample k. node-postgres sends a JavaScript array as a
 * PostgreSQL array literal, each string quoted and escaped (its
 * `prepareValue`); the times as the ISO 8601 text the sample holds
 * (timestamptz input). The values go as one JSON array text, which the ship
 * statement turns into the jsonb[] parameter on the server
 * (ship/ship-batch.ts INGEST_SQL): one JSON serialisation here and one jsonb
 * parse there, instead of 1000 values each escaped into an array literal
 * (two regular-expression passes per element in node-postgres), unescaped by
 * array_in and parsed by jsonb_in (issue 19, "Ingest": the ship path's CPU
 * against a plain COPY).
 */
import type { Sample } from '../sample.js';

/** The parameters `$3`..`$8` of the ship statement (ship/ship-batch.ts). */
export interface IngestArrays {
  sampleIds: number[];
  serverIds: number[];
  probes: string[];
  objects: string[];
  /** ISO 8601 with time zone. */
  collectedAts: string[];
  /** The samples' values as one JSON array text (element k: sample k's value). */
  valuesJson: string;
}

/** Splits `samples` into {@link IngestArrays}, in the given order. */
export function ingestArrays(samples: readonly Sample[]): IngestArrays {
  const n = samples.length;
  const a: IngestArrays = {
    sampleIds: new Array(n),
    serverIds: new Array(n),
    probes: new Array(n),
    objects: new Array(n),
    collectedAts: new Array(n),
    valuesJson: '',
  };
  const values: Sample['value'][] = new Array(n);
  for (let k = 0; k < n; k++) {
    const s = samples[k]!;
    a.sampleIds[k] = s.sampleId;
    a.serverIds[k] = s.serverId;
    a.probes[k] = s.probe;
    a.objects[k] = s.object;
    a.collectedAts[k] = s.collectedAt;
    values[k] = s.value;
  }
  a.valuesJson = JSON.stringify(values);
  return a;
}
