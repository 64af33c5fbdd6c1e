/**
 * `pharos check`: runs every area's checks concurrently against the live
 * deployment and returns the report in a fixed order (area, then host in
 * topology order). An area that throws where it should not becomes one
 * failed result naming the error: nothing is skipped silently.
 */
import { allHosts } from '../topology/hosts.js';
import { checkAgents } from './agents.js';
import { checkConninfo } from './conninfo.js';
import { buildCheckContext, type CheckContext, type CheckOptions } from './context.js';
import { checkEtcd } from './etcd.js';
import { checkPatroni } from './patroni.js';
import { checkPostgresql } from './postgresql.js';
import {
  type CheckArea,
  type CheckResult,
  type CheckSummary,
  reasonOf,
  result,
  sortResults,
  summarize,
} from './result.js';
import { checkServerData } from './server-data.js';
import { checkWeb } from './web.js';

/** The report of one run (what `--json` prints). */
export interface CheckReport {
  topologyFile: string;
  cluster: string;
  checkedAt: string;
  durationMs: number;
  /** Where the SQL credentials and configuration files came from. */
  sources: { sql: string; configs: string; ca: string };
  summary: CheckSummary;
  results: CheckResult[];
}

const AREAS: [CheckArea, (ctx: CheckContext) => Promise<CheckResult[]>][] = [
  ['etcd', checkEtcd],
  ['patroni', checkPatroni],
  ['postgresql', checkPostgresql],
  ['agent', checkAgents],
  ['agent', checkServerData],
  ['web', checkWeb],
  ['conninfo', checkConninfo],
];

/** Runs every check with a built context; `strict` makes warnings fail the run. */
export async function runChecksWith(ctx: CheckContext, strict = false): Promise<CheckReport> {
  const t0 = Date.now();
  const checkedAt = ctx.now().toISOString();
  const lists = await Promise.all(
    AREAS.map(([area, run]) =>
      run(ctx).catch((err: unknown) => [
        result(
          area,
          `${area}.run`,
          'cluster',
          'failed',
          `the ${area} checks could not run: ${reasonOf(err)}`,
        ),
      ]),
    ),
  );
  const results = sortResults(
    lists.flat(),
    allHosts(ctx.topo).map((h) => h.name),
  );
  return {
    topologyFile: ctx.topologyFile,
    cluster: ctx.topo.cluster,
    checkedAt,
    durationMs: Date.now() - t0,
    sources: { sql: ctx.sql.origin, configs: ctx.configs.describe, ca: ctx.caFile },
    summary: summarize(results, strict),
    results,
  };
}

/**
 * Builds the context from `options` (see buildCheckContext; InputError for
 * bad options) and runs every check.
 */
export async function runChecks(options: CheckOptions & { strict?: boolean }): Promise<CheckReport> {
  return runChecksWith(buildCheckContext(options), options.strict ?? false);
}
