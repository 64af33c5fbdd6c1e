/**
 * Records real samples from a running lab (`pharos lab up`) for the
 * benchmarks that replay them (issue 19: "simulated agents shipping
 * real-shaped samples at the default intervals (recorded from the lab's
 * agents, not invented)").
 *
 * Reads `pemhistory.sample` of the lab's `pem` database (the primary, found
 * by target_session_attrs=read-write over the lab's three backends, as
 * `pemsuper` with the lab's secrets.json) for the last `--minutes` minutes,
 * and writes one JSON object per line, gzip-compressed:
 *
 *   {"source": "inventory", "kind": "standalone", "probe": "...",
 *    "object": "...", "t": 12.345, "value": {...}}
 *
 * - `source`: the server's display name, or `host:<agent display name>` for
 *   an agent's host samples (server 0);
 * - `kind`: `standalone`, `patroni-leader`, `patroni-replica` (pem.server's
 *   patroni_role at recording time), `pem-backend` (is_pem_backend) or `host`;
 * - `t`: seconds since the start of the window (collected_at, ms precision);
 * - `value`: the sample's value as the agent shipped it, its texts passed
 *   through the agent's redactSecrets (a lab recorded before that was in
 *   the agent holds a monitoring role's password in `statement_texts`).
 *
 * Usage: node packages/bench/dist/recorded/record-lab-samples.js
 *          [--dir /var/tmp/pharos-lab] [--minutes 10]
 *          [--out packages/bench/fixtures/lab-samples.jsonl.gz]
 * Errors: exits 1 with a sentence when the lab's secrets are missing or psql fails.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { redactSecrets } from '@pharos/agent/probes/redact-secrets';

// a plain SELECT printed by psql -At: COPY's text format would escape the JSON's backslashes
const RECORD_SQL = (minutes: number) => `
  WITH w AS (SELECT now() - make_interval(mins => ${minutes}) AS since)
  SELECT json_build_object(
           'source', CASE WHEN s.server_id = 0 THEN 'host:' || coalesce(a.display_name, s.agent_id::text)
                          ELSE coalesce(v.display_name, s.server_id::text) END,
           'kind', CASE WHEN s.server_id = 0 THEN 'host'
                        WHEN v.is_pem_backend THEN 'pem-backend'
                        WHEN v.kind = 'patroni-member' AND v.patroni_role = 'leader' THEN 'patroni-leader'
                        WHEN v.kind = 'patroni-member' THEN 'patroni-replica'
                        ELSE 'standalone' END,
           'probe', s.probe,
           'object', s.object,
           't', round(extract(epoch FROM s.collected_at - w.since)::numeric, 3),
           'value', s.value)
    FROM pemhistory.sample s
    CROSS JOIN w
    LEFT JOIN pem.server v ON v.id = s.server_id
    LEFT JOIN pem.agent a ON a.id = s.agent_id
   WHERE s.collected_at >= w.since
   ORDER BY s.collected_at, s.server_id, s.probe, s.object`;

/** One recorded line with every text of its value passed through redactSecrets. */
function redactLine(line: string): string {
  const sample = JSON.parse(line) as { value: unknown };
  const v = sample.value;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v))
      if (typeof x === 'string') (v as Record<string, unknown>)[k] = redactSecrets(x);
  } else if (typeof v === 'string') sample.value = redactSecrets(v);
  return JSON.stringify(sample);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: '/var/tmp/pharos-lab' },
      minutes: { type: 'string', default: '10' },
      out: { type: 'string', default: 'packages/bench/fixtures/lab-samples.jsonl.gz' },
    },
  });
  const minutes = Number(values.minutes);
  if (!Number.isInteger(minutes) || minutes < 1)
    throw new Error(`--minutes: a whole number >= 1, not ${values.minutes}`);
  let password: string;
  try {
    password = (JSON.parse(readFileSync(join(values.dir, 'secrets.json'), 'utf8')) as { pemsuper: string })
      .pemsuper;
  } catch (e) {
    throw new Error(`--dir ${values.dir}: no lab secrets.json there (${(e as Error).message})`);
  }
  const conninfo =
    'host=127.0.1.200,127.0.1.201,127.0.1.202 port=5432 dbname=pem user=pemsuper ' +
    `sslmode=verify-full sslrootcert=${join(values.dir, 'pki', 'ca.crt')} target_session_attrs=read-write connect_timeout=5`;
  const out = execFileSync('psql', [conninfo, '-v', 'ON_ERROR_STOP=1', '-Atc', RECORD_SQL(minutes)], {
    env: { ...process.env, PGPASSWORD: password },
    maxBuffer: 1 << 30,
  });
  const lines = out.toString('utf8').split('\n').filter(Boolean).map(redactLine);
  writeFileSync(values.out, gzipSync(`${lines.join('\n')}\n`, { level: 9 }));
  const sources = new Set(lines.map((l) => (JSON.parse(l) as { source: string }).source));
  process.stdout.write(
    `${lines.length} samples of ${sources.size} sources over ${minutes} min -> ${values.out}\n`,
  );
}

try {
  main();
} catch (e) {
  process.stderr.write(`record-lab-samples: ${(e as Error).message}\n`);
  process.exit(1);
}
