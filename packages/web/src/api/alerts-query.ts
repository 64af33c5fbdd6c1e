/**
 * Reads alerts for the alerts page and the overview's counts.
 *
 * Source of facts: pem.alert (001_initial.sql; issue 8 evaluates them): one
 * row per alert (a template bound to an agent or a server) with its state
 * none/low/medium/high, `enabled`, and `changed_at`, the time of the last
 * state change. "Current" alerts are enabled ones in low, medium or high.
 * The history is pem.alert_history (005_alerts.sql: one row per raise,
 * change or clear, with the old and new state and the value) when the schema
 * has it; otherwise each alert's last change from pem.alert, newest first
 * (cleared ones, state none, included).
 */
import type { Queryable } from '@pharos/core/query';
import { type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';
import type { AlertChange, AlertsAnswer, AlertView } from './shapes/alerts.js';

import type { AlertCounts } from './shapes/fleet.js';

export type { AlertChange, AlertCounts, AlertsAnswer, AlertView };

/** Alert levels (pem.alert.state other than none), most severe first. */
export const ALERT_LEVELS = ['high', 'medium', 'low'] as const;

interface Row {
  id: number;
  template: string;
  applies_to: string;
  state: AlertView['state'];
  enabled: boolean;
  changed_at: string;
  agent_id: number | null;
  agent_name: string | null;
  server_id: number | null;
  server_name: string | null;
}

const ALERT_COLUMNS = `al.id, al.template, t.level AS applies_to, al.state, al.enabled, al.changed_at,
       al.agent_id, a.display_name AS agent_name, al.server_id, s.display_name AS server_name
  FROM pem.alert al JOIN pem.alert_template t ON t.name = al.template
  LEFT JOIN pem.agent a ON a.id = al.agent_id
  LEFT JOIN pem.server s ON s.id = al.server_id`;

const CURRENT_SQL = `
SELECT now() AS as_of, to_regclass('pem.alert_history') IS NOT NULL AS has_history,
       coalesce((SELECT json_agg(x ORDER BY array_position(ARRAY['high','medium','low'], x.state), x.changed_at DESC)
                   FROM (SELECT ${ALERT_COLUMNS} WHERE al.enabled AND al.state <> 'none') x), '[]') AS current`;

/** Each alert's last change (the schema has no history table). */
const LAST_CHANGE_SQL = `
SELECT ${ALERT_COLUMNS.replace('al.id,', 'al.id AS alert_id,')},
       CASE WHEN al.state = 'none' THEN 'cleared' ELSE 'raised' END AS event,
       NULL AS old_state, al.state AS new_state, NULL::float8 AS value, al.changed_at AS at
 ORDER BY al.changed_at DESC, al.id DESC LIMIT $1`;

/** Every change from pem.alert_history (005_alerts.sql). */
const HISTORY_SQL = `
SELECT h.alert_id, h.at, h.event, h.old_state, h.new_state, h.value, al.template,
       al.agent_id, a.display_name AS agent_name, al.server_id, s.display_name AS server_name
  FROM pem.alert_history h JOIN pem.alert al ON al.id = h.alert_id
  LEFT JOIN pem.agent a ON a.id = al.agent_id
  LEFT JOIN pem.server s ON s.id = al.server_id
 ORDER BY h.at DESC, h.id DESC LIMIT $1`;

interface ChangeRow {
  alert_id: number;
  at: Date;
  event: string;
  old_state: string | null;
  new_state: string;
  value: number | null;
  template: string;
  agent_id: number | null;
  agent_name: string | null;
  server_id: number | null;
  server_name: string | null;
}

function change(r: ChangeRow): AlertChange {
  return {
    alertId: r.alert_id,
    at: new Date(r.at).toISOString(),
    event: r.event,
    oldState: r.old_state,
    newState: r.new_state,
    value: r.value,
    template: r.template,
    agentId: r.agent_id,
    agentName: r.agent_name,
    serverId: r.server_id,
    serverName: r.server_name,
  };
}

function view(r: Row): AlertView {
  return {
    id: r.id,
    template: r.template,
    appliesTo: r.applies_to,
    state: r.state,
    enabled: r.enabled,
    changedAt: new Date(r.changed_at).toISOString(),
    agentId: r.agent_id,
    agentName: r.agent_name,
    serverId: r.server_id,
    serverName: r.server_name,
  };
}

/** Counts `alerts` by level. */
export function countByLevel(alerts: readonly { state: string }[]): AlertCounts {
  const c: AlertCounts = { high: 0, medium: 0, low: 0 };
  for (const a of alerts) if (a.state === 'high' || a.state === 'medium' || a.state === 'low') c[a.state]++;
  return c;
}

/**
 * Reads current alerts and the `limit` most recent changes (two statements,
 * each retried once on a failover-class error). Throws BackendFailingOverError.
 */
export async function readAlerts(db: Queryable, limit: number, logger?: LogSink): Promise<AlertsAnswer> {
  const run = <R>(sql: string, params: unknown[], what: string) =>
    withFailoverRetry(
      async () => (await db.query<R>(sql, params, { deadlineMs: STATEMENT_DEADLINE_MS })).rows,
      { logger, what },
    );
  const cur = (
    await run<{ as_of: Date; has_history: boolean; current: Row[] }>(CURRENT_SQL, [], 'read alerts')
  )[0]!;
  const changes = await run<ChangeRow>(
    cur.has_history ? HISTORY_SQL : LAST_CHANGE_SQL,
    [limit],
    'read alert history',
  );
  const current = cur.current.map(view);
  return {
    asOf: cur.as_of.toISOString(),
    counts: countByLevel(current),
    current,
    history: changes.map(change),
    historySource: cur.has_history ? 'alert_history' : 'last_change',
  };
}
