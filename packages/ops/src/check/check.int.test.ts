/**
 * Issue 9's acceptance for `pharos check`, against a real lab (etcd,
 * Patroni, PostgreSQL, six agents, three web instances) on 127.0.9.X:
 * all green on a fresh lab; then the lab is broken on purpose, one thing
 * at a time, and the check must report exactly that failure:
 *
 *  1. a changed HBA rule (PATCH /config with one rule altered; restored after),
 *  2. an expired agent certificate made for the test (restored after),
 *  3. an agent stopped (by its PID from lab.json),
 *  4. a web instance stopped,
 *  5. a replica's Patroni stopped (it stops its PostgreSQL; its agent's
 *     PostgreSQL probe data then goes stale and names the failure).
 *
 * Steps 3-5 accumulate: each asserts the failures of the steps before plus
 * exactly its own. The lab is brought down at the end.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import { WaitTimeoutError, waitFor } from '@pharos/testkit/wait/wait-for';
import { parse as parseYaml } from 'yaml';
import { PHAROS_BIN } from '../lab/context.js';
import { getCluster, patchConfig } from '../lab/patroni-api.js';
import { stopProcess } from '../lab/processes.js';
import { sslDynamicConfig } from '../render/dynamic-config.js';
import { certificateBetween, daysBefore } from '../testing/check-fixtures.js';
import { startTestLab, type TestLab } from '../testing/test-lab.js';
import { type CheckReport, runChecks } from './run.js';

const run = promisify(execFile);
let lab: TestLab;

/** Runs the check against the lab: heartbeats older than 10 s fail (the lab's agents beat every 3 s). */
function check(): Promise<CheckReport> {
  return runChecks({ labDir: lab.dir, heartbeatMaxAgeS: 10, timeoutMs: 3000 });
}

/** `status check subject` of every result that is not ok, sorted. */
function notOk(report: CheckReport): string[] {
  return report.results
    .filter((r) => r.status !== 'ok')
    .map((r) => `${r.status} ${r.check} ${r.subject}`)
    .sort();
}

/** Polls the check until its non-ok results are exactly `expected` (sorted), or fails with the last report. */
async function expectExactly(expected: string[], timeoutMs: number): Promise<CheckReport> {
  const want = [...expected].sort();
  let last: CheckReport | undefined;
  try {
    return await waitFor(
      `check to report exactly ${want.join(', ') || 'no problem'}`,
      async () => {
        last = await check();
        return JSON.stringify(notOk(last)) === JSON.stringify(want) ? last : undefined;
      },
      { deadlineMs: timeoutMs, intervalMs: 1000 },
    );
  } catch (err) {
    const lines = last?.results
      .filter((r) => r.status !== 'ok')
      .map((r) => `${r.status} ${r.check} ${r.subject}: ${r.measured}`);
    assert.fail(`${(err as Error).message}\nlast report's problems:\n${lines?.join('\n')}`);
  }
}

function processOf(host: string, kind: 'agent' | 'web' | 'patroni') {
  const p = lab.state.processes.find((x) => x.host === host && x.kind === kind);
  assert.ok(p, `lab.json records no ${kind} on ${host}`);
  return p;
}

/**
 * Runs the CLI until `done` holds for its result (at most 30 s): a one-shot
 * run can catch a healthy server's newest sample a second past the limit.
 * Returns the last result either way, for the caller's assertions.
 */
async function cliUntil(
  done: (r: { code: number; stdout: string }) => boolean,
  ...args: string[]
): Promise<{ code: number; stdout: string }> {
  let last: { code: number; stdout: string } | undefined;
  try {
    return await waitFor(
      `pharos check ${args.join(' ')} to give the awaited result`,
      async () => {
        last = await cli(...args);
        return done(last) ? last : undefined;
      },
      { deadlineMs: 30_000, intervalMs: 1000 },
    );
  } catch (err) {
    if (!(err instanceof WaitTimeoutError) || last === undefined) throw err;
    return last;
  }
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [PHAROS_BIN, 'check', '--lab-dir', lab.dir, ...args], {
      timeout: 60_000,
    });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '' };
  }
}

describe('pharos check against a real lab', { timeout: 300_000 }, () => {
  before(async () => {
    lab = await startTestLab({ name: 'check', prefix: '127.0.9' });
  });
  after(async () => {
    await lab?.down();
  });

  it('passes every check of a fresh lab, and exits 0', async () => {
    const report = await expectExactly([], 30_000);
    assert.equal(report.summary.passed, true);
    assert.ok(report.results.length >= 60, `only ${report.results.length} checks`);
    for (const area of ['etcd', 'patroni', 'postgresql', 'agent', 'web', 'conninfo'])
      assert.ok(
        report.results.some((r) => r.area === area),
        `no ${area} check`,
      );
    // One run of the CLI: a server's newest PostgreSQL sample may be just over
    // the 10 s limit (its probes run every 10 s), so the CLI is polled too.
    const { code, stdout } = await cliUntil((r) => r.code === 0, '--json', '--heartbeat-max-age', '10');
    assert.equal(code, 0, stdout);
    assert.equal((JSON.parse(stdout) as CheckReport).summary.failed, 0);
  });

  it('reports a changed HBA rule in the dynamic configuration and on every backend', async () => {
    const planned = sslDynamicConfig(lab.topo);
    const altered = structuredClone(planned);
    const i = altered.postgresql.pg_hba.indexOf('host all all ::1/128 scram-sha-256');
    assert.ok(i > 0);
    altered.postgresql.pg_hba[i] = 'host all all ::1/128 reject';
    const leader = (await getCluster(lab.topo.backends[0]!.address, lab.access.patroni)).members.find(
      (m) => m.role === 'leader',
    )!;
    await patchConfig(leader.host, altered, lab.access.patroni);
    try {
      const report = await expectExactly(
        [
          'failed patroni.config.hba cluster',
          ...lab.topo.backends.map((b) => `failed postgresql.hba ${b.name}`),
        ],
        30_000,
      );
      const hba = report.results.find((r) => r.check === 'patroni.config.hba')!;
      assert.match(
        hba.measured,
        /rule \d+ is 'host all all ::1\/128 reject', planned 'host all all ::1\/128 scram-sha-256'/,
      );
    } finally {
      await patchConfig(leader.host, planned, lab.access.patroni);
    }
    await expectExactly([], 30_000);
  });

  it('reports an expired agent certificate', async () => {
    const host = lab.topo.backends[1]!;
    const agentYml = parseYaml(readFileSync(join(lab.dir, host.name, 'pharos', 'agent.yml'), 'utf8')) as {
      backend: string;
    };
    const certFile = parseConninfo(agentYml.backend, {}).sslcert!;
    const original = readFileSync(certFile);
    const ca = { certPem: lab.ca, keyPem: readFileSync(join(lab.dir, 'pki', 'ca.key'), 'utf8') };
    const now = new Date();
    const expired = await certificateBetween(ca, {
      commonName: 'agent2',
      usage: 'client',
      notBefore: daysBefore(now, 30),
      notAfter: daysBefore(now, 2),
    });
    writeFileSync(certFile, expired.certPem);
    try {
      const report = await expectExactly([`failed agent.certificate ${host.name}`], 15_000);
      const line = report.results.find((r) => r.check === 'agent.certificate' && r.subject === host.name)!;
      assert.match(line.measured, /^expired on \S+ \(2 days ago\)/);
    } finally {
      writeFileSync(certFile, original);
    }
    await expectExactly([], 15_000);
  });

  const agentStopped = ['failed agent.heartbeat pem-web-1'];
  it('reports exactly the heartbeat of a stopped agent', async () => {
    assert.ok(await stopProcess(processOf('pem-web-1', 'agent')));
    const report = await expectExactly(agentStopped, 40_000);
    assert.match(
      report.results.find((r) => r.check === 'agent.heartbeat' && r.subject === 'pem-web-1')!.measured,
      /last heartbeat \d+ s ago \(max 10 s\)/,
    );
  });

  const webStopped = [
    ...agentStopped,
    'failed web.health pem-web-2',
    'failed web.backend pem-web-2',
    'failed web.certificate pem-web-2',
  ];
  it('reports exactly a stopped web instance', async () => {
    assert.ok(await stopProcess(processOf('pem-web-2', 'web')));
    const report = await expectExactly(webStopped, 15_000);
    assert.match(
      report.results.find((r) => r.check === 'web.health' && r.subject === 'pem-web-2')!.measured,
      /unreachable: .*ECONNREFUSED/,
    );
  });

  it('reports exactly a stopped replica, and exits 1', async () => {
    const members = (await getCluster(lab.topo.backends[0]!.address, lab.access.patroni)).members;
    const replica = [...lab.topo.backends]
      .reverse()
      .find((b) => members.find((m) => m.name === b.name)?.role !== 'leader')!;
    assert.ok(await stopProcess(processOf(replica.name, 'patroni'), 30_000));
    const n = replica.name;
    // Its agent keeps running: once its newest PostgreSQL sample is older than the
    // maximum age (10 s), agent.server-data fails too, naming the probe failure, and
    // agent.server-reachable says the agent cannot reach it (its newest server_up).
    await expectExactly(
      [
        ...webStopped,
        `failed patroni.api ${n}`,
        `failed patroni.replica ${n}`,
        `failed postgresql.ssl ${n}`,
        `failed postgresql.hba ${n}`,
        `failed postgresql.certificate ${n}`,
        `failed agent.server-data ${n}`,
        `failed agent.server-reachable ${n}`,
      ],
      60_000,
    );
    const { code, stdout } = await cliUntil(
      // the 11 failures, and the probe failure recorded (the agent sends it with its next heartbeat)
      (r) =>
        /checks: \d+ ok, 0 warning\(s\), 11 failed/m.test(r.stdout) &&
        new RegExp(`^FAILED +agent\\.server-data +${n} .*; newest failure`, 'm').test(r.stdout),
      '--heartbeat-max-age',
      '10',
    );
    assert.equal(code, 1, stdout);
    assert.match(
      stdout,
      new RegExp(`^FAILED +patroni\\.replica +${n} +(stopped|not a member of the cluster)`, 'm'),
    );
    assert.match(
      stdout,
      new RegExp(
        `^FAILED +agent\\.server-data +${n} +newest PostgreSQL probe sample \\d+ s old \\(max 10 s\\); newest failure \\(\\w+\\): .*ECONNREFUSED`,
        'm',
      ),
    );
    assert.match(
      stdout,
      new RegExp(
        `^FAILED +agent\\.server-reachable +${n} +unreachable from agent \\d+ \\(${n}\\): .*ECONNREFUSED`,
        'm',
      ),
    );
    assert.match(stdout, /checks: \d+ ok, 0 warning\(s\), 11 failed in .* NOT PASSED$/m);
  });
});
