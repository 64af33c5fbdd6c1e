/**
 * The agent's alert work (the reference's "alert threads" and SMTP/webhook
 * notification sending, on by default only for agents on backend hosts):
 * every `short_wait_s` the agent asks the backend what it should do
 * (`pem.alert_worker_settings`: evaluate alerts, send notifications; by
 * default yes exactly when it is bound to a backend server) and starts or
 * stops an {@link AlertEvaluator} and a {@link NotificationDispatcher}
 * accordingly. Each has its own backend connection (application names
 * `pharos-agent-<id>-alerts` and `-notify`, opened only when used; the
 * settings are read on the agent's control connection) on the agent's multi-host string
 * with `target_session_attrs=read-write`, so all work lands on the primary
 * and moves with it. Exactly-once evaluation and at-least-once delivery are
 * the database functions' doing (docs/alerts.md); this file only schedules.
 *
 * Webhooks go out under the target policy ({@link webhookPolicy}): the
 * deployment's own addresses (the backends of the agent's connection string,
 * its own address) and the always-refused ranges and ports are refused
 * unless agent.yml's `webhook_allow` admits them (docs/alerts.md "Where
 * webhooks may go").
 */

import { AlertEvaluator } from '@pharos/backend/alerts/evaluator';
import { DeploymentAddresses } from '@pharos/backend/notify/deployment-addresses';
import { NotificationDispatcher } from '@pharos/backend/notify/dispatcher';
import { WebhookTargetPolicy } from '@pharos/backend/notify/target-policy';
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import { messageOf } from '@pharos/core/errors';
import { HaConnection } from '@pharos/core/ha/connection';
import type { Logger } from '@pharos/core/log';
import type { Queryable } from '@pharos/core/query';
import { type AgentConfig, backendConninfo } from '../config.js';

/**
 * The webhook target policy of an agent: `webhook_allow`/`webhook_refuse`
 * from its configuration, and as the deployment's own addresses the hosts
 * of its backend connection string (every backend) and its own
 * `host_address`/`source_address`. Throws Error for a malformed rule (the
 * configuration loader has checked them).
 */
export function webhookPolicy(config: AgentConfig): WebhookTargetPolicy {
  const backends = parseConninfo(backendConninfo(config), {}).hosts.flatMap((h) =>
    h.hostaddr ? [h.host, h.hostaddr] : [h.host],
  );
  const own = [config.host_address, config.source_address].filter((a): a is string => a !== undefined);
  const deployment = new DeploymentAddresses([() => [...backends, ...own]]);
  return new WebhookTargetPolicy({
    allow: config.webhook_allow,
    refuse: config.webhook_refuse,
    deploymentAddresses: () => deployment.get(),
  });
}

/** Options of {@link startAlertWorker}. */
export interface AlertWorkerOptions {
  config: AgentConfig;
  logger: Logger;
  /** Sent as the User-Agent of webhook requests (`pharos-agent/<version>`). */
  version: string;
  /** Evaluation poll, ms (default 1000). */
  pollMs?: number;
  /**
   * Connection for the settings read (the agent's control connection), so an
   * agent that does no alert work holds no extra backend session; default:
   * the evaluation connection.
   */
  control?: Queryable;
}

/** What the worker does now. */
export interface AlertWorkerStatus {
  evaluating: boolean;
  notifying: boolean;
  evaluated: number;
  delivered: number;
  lastError: string | null;
}

/** A running worker. */
export interface AlertWorkerHandle {
  stop(): Promise<void>;
  status(): AlertWorkerStatus;
  /** Re-reads the settings now (resolves when applied). */
  refresh(): Promise<void>;
}

/**
 * Starts the worker; it reads its settings at once and then every
 * `short_wait_s`. Throws ConfigError/InputError when the backend connection
 * string cannot be used (as the agent's own connections would).
 */
export function startAlertWorker(o: AlertWorkerOptions): AlertWorkerHandle {
  const { config } = o;
  const log = o.logger;
  const conn = (role: string) => {
    const ci = parseConninfo(backendConninfo(config), {});
    ci.applicationName = `pharos-agent-${config.agent_id}-${role}`;
    return new HaConnection({ conninfo: ci, queryTimeoutMs: 30_000, logger: log.child({ conn: role }) });
  };
  const evalConn = conn('alerts');
  const notifyConn = conn('notify');
  const evaluator = new AlertEvaluator({
    db: evalConn,
    agentId: config.agent_id,
    logger: log.child({ component: 'alert-evaluator' }),
    pollMs: o.pollMs ?? 1000,
  });
  const dispatcher = new NotificationDispatcher({
    db: notifyConn,
    agentId: config.agent_id,
    logger: log.child({ component: 'notifications' }),
    userAgent: `pharos-agent/${o.version}`,
    targetPolicy: webhookPolicy(config),
  });
  let evaluating = false;
  let notifying = false;
  let lastError: string | null = null;
  let stopped = false;

  const refresh = async () => {
    if (stopped) return;
    let s: { evaluate: boolean; notify: boolean };
    try {
      s = (
        await (o.control ?? evalConn).query<{ evaluate: boolean; notify: boolean }>(
          'SELECT * FROM pem.alert_worker_settings($1)',
          [config.agent_id],
        )
      ).rows[0]!;
    } catch (err) {
      if (lastError !== messageOf(err))
        log.warn({ err: messageOf(err) }, 'cannot read alert worker settings; keeping the current ones');
      lastError = messageOf(err);
      return;
    }
    lastError = null;
    if (stopped) return;
    if (s.evaluate !== evaluating) {
      evaluating = s.evaluate;
      if (evaluating) evaluator.start();
      else await evaluator.stop();
      log.info({ evaluate: evaluating }, evaluating ? 'evaluating alerts' : 'not evaluating alerts');
    }
    if (s.notify !== notifying) {
      notifying = s.notify;
      if (notifying) dispatcher.start();
      else await dispatcher.stop();
      log.info({ notify: notifying }, notifying ? 'sending notifications' : 'not sending notifications');
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const loop = () => {
    current = refresh().finally(() => {
      if (!stopped) timer = setTimeout(loop, config.short_wait_s * 1000);
    });
  };
  loop();

  return {
    refresh: () => refresh(),
    status: () => ({
      evaluating,
      notifying,
      evaluated: evaluator.stats.evaluated,
      delivered: dispatcher.stats.delivered,
      lastError: lastError ?? evaluator.stats.lastError ?? dispatcher.stats.lastError,
    }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
      await Promise.all([evaluator.stop(), dispatcher.stop()]);
      await Promise.all([evalConn.close(), notifyConn.close()]);
    },
  };
}
