import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatReport, formatResult } from './format.js';
import { exitCodeOf, result, sortResults, summarize } from './result.js';
import type { CheckReport } from './run.js';

describe('results, summary and report', () => {
  const rs = [
    result('web', 'web.health', 'pem-web-1', 'ok', 'answers'),
    result('etcd', 'etcd.member', 'etcd-node-2', 'warning', 'slow', 'look'),
    result('etcd', 'etcd.quorum', 'cluster', 'ok', '3 of 3'),
    result('etcd', 'etcd.member', 'etcd-node-1', 'failed', 'unreachable', 'start etcd'),
  ];
  it('keeps the action only for warnings and failures', () => {
    assert.equal(result('etcd', 'x', 'cluster', 'ok', 'fine', 'ignored').action, undefined);
  });
  it('passes with warnings unless strict; exit code 1 on a failure', () => {
    assert.deepEqual(summarize(rs), { ok: 2, warning: 1, failed: 1, passed: false });
    assert.equal(exitCodeOf(summarize(rs)), 1);
    const noFailure = rs.filter((r) => r.status !== 'failed');
    assert.equal(exitCodeOf(summarize(noFailure)), 0);
    assert.equal(exitCodeOf(summarize(noFailure, true)), 1);
  });
  it('orders by area, then cluster and hosts in topology order', () => {
    const sorted = sortResults(rs, ['etcd-node-1', 'etcd-node-2', 'pem-web-1']);
    assert.deepEqual(
      sorted.map((r) => `${r.check} ${r.subject}`),
      ['etcd.quorum cluster', 'etcd.member etcd-node-1', 'etcd.member etcd-node-2', 'web.health pem-web-1'],
    );
  });
  it('prints one line per check with what to do, and a summary', () => {
    assert.equal(
      formatResult(rs[3]!, { check: 12, subject: 12 }),
      'FAILED  etcd.member  etcd-node-1  unreachable -> start etcd',
    );
    const report: CheckReport = {
      topologyFile: '/t.yml',
      cluster: 'pem',
      checkedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1234,
      sources: { sql: 'pemsuper', configs: 'here', ca: '/ca.crt' },
      summary: summarize(rs),
      results: rs,
    };
    const lines = formatReport(report).split('\n');
    assert.equal(lines.length, 6);
    assert.equal(lines.at(-1), '4 checks: 2 ok, 1 warning(s), 1 failed in 1.2 s: NOT PASSED');
  });
});
