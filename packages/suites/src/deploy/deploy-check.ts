/**
 * `pharos check` against a deployment under test, run from this machine as
 * an operator runs it (docs/check.md): the plan's CA, the operator's etcd
 * client certificate, the configuration files collect-configs.yml copied
 * to `<plan>/ansible/collected`, the installing superuser's password from
 * the plan's secrets.yml in PHAROS_SUPERPASSWORD. Also what a failing
 * agent assertion prints: every `agent.*` line of the report and the rows
 * of `pem.agent` (the check's own query, AGENTS_SQL).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HaConnection } from '@pharos/core/ha/connection';
import { AGENTS_SQL } from '@pharos/ops/check/agents';
import type { Topology } from '@pharos/ops/topology/types';
import { FatalWaitError, waitFor } from '@pharos/testkit/wait/wait-for';
import { parse } from 'yaml';
import { REPO_ROOT } from './packages.js';

const run = promisify(execFile);
const PHAROS = join(REPO_ROOT, 'packages/cli/bin/pharos.js');

/** One line of `pharos check --json` (ops/check/result.ts). */
export interface CheckLine {
  check: string;
  subject: string;
  status: string;
  measured: string;
}

/** `pharos check --json`'s report and exit code. */
export interface CheckRun {
  code: number;
  report: { summary: { ok: number; warning: number; failed: number }; results: CheckLine[] };
}

/** What the check needs of a deployment: its topology file, plan directory and topology. */
export interface CheckTarget {
  topoFile: string;
  planDir: string;
  topo: Topology;
}

function superuserPassword(planDir: string): string {
  const secrets = parse(readFileSync(join(planDir, 'ansible/group_vars/all/secrets.yml'), 'utf8')) as {
    pharos_superuser_password: string;
  };
  return secrets.pharos_superuser_password;
}

/** Runs `pharos check --json` once. @throws Error when it prints no report. */
export async function pharosCheck(t: CheckTarget): Promise<CheckRun> {
  const args = [
    PHAROS,
    'check',
    '--topology',
    t.topoFile,
    '--ca',
    join(t.planDir, 'ca/root.crt'),
    '--etcd-cert',
    join(t.planDir, 'ca/etcd-client.crt'),
    '--etcd-key',
    join(t.planDir, 'ca/etcd-client.key'),
    '--config-dir',
    join(t.planDir, 'ansible/collected'),
    '--json',
  ];
  const env = { ...process.env, PHAROS_SUPERPASSWORD: superuserPassword(t.planDir) };
  try {
    const { stdout } = await run(process.execPath, args, { env, timeout: 120_000 });
    return { code: 0, report: JSON.parse(stdout) };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (!e.stdout) throw new Error(`pharos check failed: ${e.stderr}`);
    return { code: e.code ?? 1, report: JSON.parse(e.stdout) };
  }
}

/** The lines of a report that are not ok, as `status check subject: measured`. */
export function notOk(report: CheckRun['report']): string[] {
  return report.results
    .filter((r) => r.status !== 'ok')
    .map((r) => `${r.status} ${r.check} ${r.subject}: ${r.measured}`);
}

/**
 * Runs `pharos check` until every line is ok (fresh agent data takes a probe
 * cycle after a start), for at most `timeoutMs`; asserts on the last report.
 */
export async function checkAllOk(t: CheckTarget, timeoutMs = 90_000): Promise<CheckRun> {
  let last: CheckRun | undefined;
  try {
    return await waitFor(
      'pharos check to report every line ok',
      async () => {
        try {
          last = await pharosCheck(t);
        } catch (err) {
          throw Object.assign(new FatalWaitError((err as Error).message), { cause: err }); // not a wait: a failure
        }
        return last.code === 0 && notOk(last.report).length === 0 ? last : undefined;
      },
      { deadlineMs: timeoutMs, intervalMs: 3000 },
    );
  } catch (err) {
    if (!last || err instanceof FatalWaitError) throw err;
    assert.deepEqual(notOk(last.report), [], 'pharos check');
    assert.equal(last.code, 0);
    return last;
  }
}

/**
 * The rows of pem.agent as the check reads them (AGENTS_SQL, on the primary,
 * as the installing superuser), for failure messages; the error's message
 * when they cannot be read.
 */
export async function agentRows(t: CheckTarget): Promise<unknown[] | string> {
  const conn = new HaConnection({
    conninfo: `host=${t.topo.backends.map((b) => b.address).join(',')} port=${t.topo.postgres.port} dbname=pem user=${t.topo.pem.superuser} sslmode=verify-full sslrootcert=${join(t.planDir, 'ca/root.crt')} target_session_attrs=read-write connect_timeout=5`,
    env: { PGPASSWORD: superuserPassword(t.planDir) },
    queryTimeoutMs: 30_000,
  });
  try {
    return (await conn.query(AGENTS_SQL)).rows.map((r) => ({ ...r, cert_pem: r.cert_pem ? 'PEM' : null }));
  } catch (err) {
    return `cannot read pem.agent: ${(err as Error).message}`;
  } finally {
    await conn.close();
  }
}

/**
 * Asserts that `report` has an ok `agent.registration` and `agent.heartbeat`
 * line for the monitored host `name` (its agent's display name); on failure
 * the message holds every `agent.*` line and the pem.agent rows.
 */
export async function assertAgentListed(t: CheckTarget, report: CheckRun['report'], name: string) {
  const lines = report.results.filter((x) => x.check.startsWith('agent.') && x.subject === name);
  const found = ['agent.registration', 'agent.heartbeat'].map((c) =>
    lines.find((x) => x.check === c && x.status === 'ok'),
  );
  if (found.every(Boolean)) return;
  const agentLines = report.results
    .filter((x) => x.check.startsWith('agent.'))
    .map((x) => `${x.status} ${x.check} ${x.subject}: ${x.measured}`);
  assert.fail(
    `pharos check lists no ok registration and heartbeat of ${name}'s agent.\nagent lines:\n  ${agentLines.join('\n  ')}\npem.agent:\n  ${JSON.stringify(await agentRows(t), null, 1)}`,
  );
}
