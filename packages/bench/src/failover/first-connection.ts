/**
 * Time to the first usable session (a read-write connection that answered
 * `SELECT 1`) when the first host of a multi-host string is not the
 * primary, Pharos's HaConnection side by side with `psql` (libpq) on the
 * same string:
 *
 * - primary first: the baseline (for psql it includes starting the process);
 * - down: nothing listens on the first host (connection refused);
 * - standby: the first host is a hot standby (target_session_attrs=read-write
 *   must skip it);
 * - black-holed: the first host accepts TCP connections and never answers
 *   (black-hole.ts), so only connect_timeout gets past it.
 *
 * Each run is a fresh HaConnection (no remembered primary) or a fresh psql
 * process; runs alternate between the two.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { HaConnection } from '@pharos/core/ha/connection';
import type { HaTraceEvent } from '@pharos/core/ha/trace';
import { type Summary, summarize } from '../stats.js';
import { psqlEnv, runPsql } from './psql-writer.js';

/** One scenario: its name and the string both clients use. */
export interface ConnectScenario {
  name: string;
  conninfo: string;
}

/** Figures of one scenario, seconds. `failures` counts runs that did not connect. */
export interface ConnectFigures {
  scenario: string;
  conninfo: string;
  pharos: Summary;
  psql: Summary;
  pharosFailures: number;
  psqlFailures: number;
}

/**
 * Seconds for a fresh HaConnection on `conninfo` to answer SELECT 1, or
 * undefined when it failed. `timeline`, when given, receives one line per
 * host attempt and selection (ha/trace.ts), ms from the start, then the
 * SELECT 1's own time.
 */
export async function pharosConnectS(
  conninfo: string,
  password: string,
  timeline?: string[],
): Promise<number | undefined> {
  const started = performance.now();
  const startedAt = Date.now();
  const trace =
    timeline === undefined
      ? undefined
      : (e: HaTraceEvent) => {
          const { kind, atMs, ...rest } = e;
          timeline.push(`+${atMs - startedAt} ms ${kind} ${JSON.stringify(rest)}`);
        };
  const conn = new HaConnection({
    conninfo,
    env: { PGPASSWORD: password },
    queryTimeoutMs: 60_000,
    ...(trace ? { trace } : {}),
  });
  try {
    await conn.query('SELECT 1');
    const s = (performance.now() - started) / 1000;
    timeline?.push(`+${Date.now() - startedAt} ms SELECT 1 answered (total ${(s * 1000).toFixed(0)} ms)`);
    return s;
  } catch (err) {
    timeline?.push(
      `+${Date.now() - startedAt} ms failed: ${err instanceof Error ? err.message : String(err)}`,
    );
    return undefined;
  } finally {
    await conn.close();
  }
}

/** Seconds for `psql -c 'SELECT 1'` on `conninfo` to exit 0 (process start included), or undefined. */
export async function psqlConnectS(conninfo: string, password: string): Promise<number | undefined> {
  const started = performance.now();
  const code = await runPsql(
    ['-X', '-q', '-A', '-t', '-d', conninfo, '-c', 'SELECT 1'],
    psqlEnv(password),
    60_000,
  );
  return code === 0 ? (performance.now() - started) / 1000 : undefined;
}

/**
 * Runs every scenario `runs` times with each client. `traceDir`: one
 * timeline per Pharos run, `first-connection-<scenario>-<n>.txt` (host
 * attempts with their connect and target-check times, the selection, the
 * SELECT 1), headed by the 1-minute load average.
 */
export async function measureFirstConnection(
  scenarios: readonly ConnectScenario[],
  password: string,
  runs: number,
  log: (line: string) => void,
  traceDir?: string,
): Promise<ConnectFigures[]> {
  const out: ConnectFigures[] = [];
  for (const sc of scenarios) {
    const pharos: number[] = [];
    const psql: number[] = [];
    let pf = 0;
    let qf = 0;
    for (let i = 0; i < runs; i++) {
      const timeline =
        traceDir === undefined ? undefined : [`load average (1 min) ${loadavg()[0]!.toFixed(2)}`];
      const a = await pharosConnectS(sc.conninfo, password, timeline);
      if (traceDir !== undefined && timeline !== undefined) {
        mkdirSync(traceDir, { recursive: true });
        const slug = sc.name.replace(/\W+/g, '-');
        writeFileSync(join(traceDir, `first-connection-${slug}-${i + 1}.txt`), `${timeline.join('\n')}\n`);
      }
      if (a === undefined) pf++;
      else pharos.push(a);
      const b = await psqlConnectS(sc.conninfo, password);
      if (b === undefined) qf++;
      else psql.push(b);
    }
    const f: ConnectFigures = {
      scenario: sc.name,
      conninfo: sc.conninfo,
      pharos: summarize(pharos, 's'),
      psql: summarize(psql, 's'),
      pharosFailures: pf,
      psqlFailures: qf,
    };
    log(
      `first connection, ${sc.name} (load ${loadavg()[0]!.toFixed(2)}): Pharos median ${f.pharos.median.toFixed(3)} s, psql median ${f.psql.median.toFixed(3)} s`,
    );
    out.push(f);
  }
  return out;
}
