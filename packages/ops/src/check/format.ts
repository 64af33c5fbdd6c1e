/**
 * The report as text, one line per check:
 *
 *     ok      etcd.member              etcd-node-1     healthy, version 3.5.16, member id 5e8e...
 *     FAILED  patroni.replica          pem-backend-3   not a member of the cluster ... -> start Patroni ...
 *
 * then a summary line. Warnings and failures carry "-> what to do".
 */

import type { CheckResult, CheckStatus } from './result.js';
import type { CheckReport } from './run.js';

const LABEL: Record<CheckStatus, string> = { ok: 'ok', warning: 'WARNING', failed: 'FAILED' };

/** One line of the text report (no trailing newline). */
export function formatResult(r: CheckResult, widths = { check: 26, subject: 15 }): string {
  const action = r.action && r.status !== 'ok' ? ` -> ${r.action}` : '';
  return `${LABEL[r.status].padEnd(8)}${r.check.padEnd(widths.check)} ${r.subject.padEnd(widths.subject)} ${r.measured}${action}`;
}

/** The whole text report: a header line, one line per check, the summary. */
export function formatReport(report: CheckReport): string {
  const widths = {
    check: Math.max(...report.results.map((r) => r.check.length), 5) + 1,
    subject: Math.max(...report.results.map((r) => r.subject.length), 7),
  };
  const s = report.summary;
  return [
    `pharos check: cluster '${report.cluster}' (${report.topologyFile}), SQL as ${report.sources.sql}, configuration files from ${report.sources.configs}`,
    ...report.results.map((r) => formatResult(r, widths)),
    `${report.results.length} checks: ${s.ok} ok, ${s.warning} warning(s), ${s.failed} failed in ${(report.durationMs / 1000).toFixed(1)} s: ${s.passed ? 'PASSED' : 'NOT PASSED'}`,
  ].join('\n');
}
