/**
 * The outcome of one check of `pharos check`: what was checked, on which
 * host, whether it passed, what was measured and what to do about it; and
 * the summary and exit code of a whole run.
 */
import { EXIT } from '@pharos/core/errors';

/** ok: as planned. warning: works but needs attention (or could not be verified locally). failed: not as planned, or the check could not run. */
export type CheckStatus = 'ok' | 'warning' | 'failed';

/** The areas of a deployment `pharos check` verifies, in output order. */
export const CHECK_AREAS = ['etcd', 'patroni', 'postgresql', 'agent', 'web', 'conninfo'] as const;
/** One of {@link CHECK_AREAS}. */
export type CheckArea = (typeof CHECK_AREAS)[number];

/** One line of the report. */
export interface CheckResult {
  area: CheckArea;
  /** Dotted check name, stable for machines: `etcd.health`, `patroni.replica`, ... */
  check: string;
  /** What the check is about: a host name of the topology, or `cluster`. */
  subject: string;
  status: CheckStatus;
  /** The measured value or finding, in words ("3 of 3 members healthy", "rule 5 differs: ..."). */
  measured: string;
  /** What to do (warnings and failures). */
  action?: string;
}

/** Counts by status and whether the run passed. */
export interface CheckSummary {
  ok: number;
  warning: number;
  failed: number;
  /** No failed check (and, with `strict`, no warning either). */
  passed: boolean;
}

/** Builds a result; `action` is kept only for warnings and failures. */
export function result(
  area: CheckArea,
  check: string,
  subject: string,
  status: CheckStatus,
  measured: string,
  action?: string,
): CheckResult {
  return status === 'ok' || action === undefined
    ? { area, check, subject, status, measured }
    : { area, check, subject, status, measured, action };
}

/**
 * Counts results by status. `passed` is true when none failed; with
 * `strict`, when none failed and none is a warning.
 */
export function summarize(results: CheckResult[], strict = false): CheckSummary {
  const s = { ok: 0, warning: 0, failed: 0 };
  for (const r of results) s[r.status]++;
  return { ...s, passed: s.failed === 0 && (!strict || s.warning === 0) };
}

/** Process exit code of a run (docs/exit-codes.md): 0 when it passed, 1 otherwise (2 is invalid input). */
export function exitCodeOf(summary: CheckSummary): number {
  return summary.passed ? EXIT.OK : EXIT.FAILED;
}

/**
 * Sorts results into report order: by area (CHECK_AREAS order), then by
 * the position of the subject in `subjectOrder` (topology order; `cluster`
 * first); results with equal keys keep their order (the order the checks
 * produced them in).
 */
export function sortResults(results: CheckResult[], subjectOrder: string[]): CheckResult[] {
  const areaIndex = (a: CheckArea) => CHECK_AREAS.indexOf(a);
  const subjectIndex = (s: string) => {
    if (s === 'cluster') return -1;
    const i = subjectOrder.indexOf(s);
    return i === -1 ? subjectOrder.length : i;
  };
  return [...results].sort(
    (a, b) => areaIndex(a.area) - areaIndex(b.area) || subjectIndex(a.subject) - subjectIndex(b.subject),
  );
}

/** The message of a thrown value, for "could not run" results. */
export function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
