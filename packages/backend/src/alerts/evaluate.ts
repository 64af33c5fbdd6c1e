/**
 * One round of alert evaluation by an agent: calls
 * `pem.evaluate_due_alerts` (sql/functions/alerts/) in batches until nothing due
 * is left. Each batch is one transaction on the primary that claims due
 * alerts with FOR UPDATE SKIP LOCKED, evaluates them (each template runs
 * once for all its due alerts: docs/alerts.md, "Batched evaluation"), writes
 * state, history and outbox rows and advances their schedule; so however many agents do
 * this at once, each alert is evaluated once per interval, and a batch cut
 * off by a crash or a failover is rolled back whole and done again by
 * whoever comes next.
 *
 * Isolation: a batch runs under `statement_timeout`. A template query that
 * fails is caught inside the function (its group is evaluated again alert by
 * alert, and each failure recorded); one that runs too long
 * cancels its batch (57014), after which the due alerts are evaluated one by
 * one, and the one that times out alone is recorded as a `timeout` problem
 * (`pem.record_alert_failure`) and skipped until its next interval.
 */
import { sqlStateOf } from '@pharos/core/errors';
import type { Logger } from '@pharos/core/log';
import type { Queryable, Transactional } from '@pharos/core/query';

/** Options of {@link evaluateDueAlerts}. */
export interface EvaluateOptions {
  /** Alerts per transaction (default 200). */
  batchSize?: number;
  /** statement_timeout of one batch, ms (default 10000). */
  statementTimeoutMs?: number;
  /** Batches per round at most (default 50), so a round ends even when work keeps coming. */
  maxBatches?: number;
  logger?: Logger;
  /**
   * Tests and benchmarks only: call the per-alert oracle
   * (`pem.evaluate_due_alerts_per_alert`, testing/per-alert-oracle.ts, which
   * they install) instead of the batched `pem.evaluate_due_alerts`.
   */
  perAlertOracle?: boolean;
}

/** What one round did. */
export interface EvaluationStats {
  evaluated: number;
  problems: number;
  notifications: number;
  batches: number;
  /** Alerts recorded as timed out. */
  timeouts: number;
}

interface BatchRow {
  evaluated: number;
  problems: number;
  notifications: number;
  more: boolean;
}

const QUERY_CANCELED = '57014';

type EvaluateFunction = 'pem.evaluate_due_alerts' | 'pem.evaluate_due_alerts_per_alert';

async function batch(
  db: Queryable & Transactional,
  agentId: number,
  limit: number,
  timeoutMs: number,
  alertId: number | null,
  fn: EvaluateFunction,
): Promise<BatchRow> {
  return db.transaction(
    async (tx) => {
      await tx.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
      const r = await tx.query<BatchRow>(`SELECT * FROM ${fn}($1, $2, $3)`, [agentId, limit, alertId]);
      return r.rows[0]!;
    },
    { deadlineMs: timeoutMs + 10_000 },
  );
}

/**
 * Evaluates everything due, as agent `agentId`. Throws the database's errors
 * other than a statement timeout (42501 when the agent may not evaluate;
 * failover-class errors when the primary goes away: nothing of the
 * interrupted batch was kept, the next round does it).
 */
export async function evaluateDueAlerts(
  db: Queryable & Transactional,
  agentId: number,
  opts: EvaluateOptions = {},
): Promise<EvaluationStats> {
  const size = opts.batchSize ?? 200;
  const timeoutMs = opts.statementTimeoutMs ?? 10_000;
  const fn: EvaluateFunction = opts.perAlertOracle
    ? 'pem.evaluate_due_alerts_per_alert'
    : 'pem.evaluate_due_alerts';
  const stats: EvaluationStats = { evaluated: 0, problems: 0, notifications: 0, batches: 0, timeouts: 0 };
  const add = (r: BatchRow) => {
    stats.evaluated += r.evaluated;
    stats.problems += r.problems;
    stats.notifications += r.notifications;
    stats.batches++;
  };
  for (let i = 0; i < (opts.maxBatches ?? 50); i++) {
    let r: BatchRow;
    try {
      r = await batch(db, agentId, size, timeoutMs, null, fn);
    } catch (err) {
      if (sqlStateOf(err) !== QUERY_CANCELED) throw err;
      opts.logger?.warn(
        { timeoutMs },
        'an alert batch ran past its statement timeout; evaluating one by one',
      );
      await evaluateOneByOne(db, agentId, size, timeoutMs, stats, fn, opts.logger);
      continue;
    }
    add(r);
    if (!r.more) break;
  }
  return stats;
}

async function evaluateOneByOne(
  db: Queryable & Transactional,
  agentId: number,
  size: number,
  timeoutMs: number,
  stats: EvaluationStats,
  fn: EvaluateFunction,
  logger?: Logger,
): Promise<void> {
  const ids = (await db.query<{ ids: number[] }>('SELECT pem.due_alert_ids($1, $2) AS ids', [agentId, size]))
    .rows[0]!.ids;
  for (const id of ids) {
    try {
      const r = await batch(db, agentId, 1, timeoutMs, id, fn);
      stats.evaluated += r.evaluated;
      stats.problems += r.problems;
      stats.notifications += r.notifications;
      stats.batches++;
    } catch (err) {
      if (sqlStateOf(err) !== QUERY_CANCELED) throw err;
      const message = `evaluation did not finish within the statement timeout (${timeoutMs} ms)`;
      const recorded = (
        await db.query<{ ok: boolean }>('SELECT pem.record_alert_failure($1, $2, $3) AS ok', [
          agentId,
          id,
          message,
        ])
      ).rows[0]!.ok;
      if (recorded) {
        stats.timeouts++;
        stats.problems++;
        logger?.error(
          { alertId: id, timeoutMs },
          'alert evaluation timed out; recorded as a problem and skipped until its next interval',
        );
      }
    }
  }
}
