/** Shapes of GET /api/alerts (alerts.ts, alerts-query.ts). */
import { type Static, Type } from 'typebox';
import { DateTime, Nullable } from './common.js';
import { AlertCounts } from './fleet.js';

/** An alert state (pem.alert.state). */
export const AlertState = Type.Union([
  Type.Literal('none'),
  Type.Literal('low'),
  Type.Literal('medium'),
  Type.Literal('high'),
]);

/** Query of GET /api/alerts. */
export const AlertsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })) },
  { additionalProperties: false },
);

/** One alert as the API shows it. */
export const AlertView = Type.Object({
  id: Type.Integer(),
  template: Type.String(),
  appliesTo: Type.String({ description: 'agent, server or database' }),
  state: AlertState,
  enabled: Type.Boolean(),
  changedAt: DateTime('last state change'),
  agentId: Nullable(Type.Integer()),
  agentName: Nullable(Type.String()),
  serverId: Nullable(Type.Integer()),
  serverName: Nullable(Type.String()),
});
export type AlertView = Static<typeof AlertView>;

/** One state change of an alert. */
export const AlertChange = Type.Object({
  alertId: Type.Integer(),
  at: DateTime(),
  event: Type.String({ description: 'raised, changed, cleared, flapping_started, flapping_stopped' }),
  oldState: Nullable(Type.String({ description: 'null when only the last change is known' })),
  newState: Type.String(),
  value: Nullable(Type.Number({ description: 'the value that made the change, when recorded' })),
  template: Type.String(),
  agentId: Nullable(Type.Integer()),
  agentName: Nullable(Type.String()),
  serverId: Nullable(Type.Integer()),
  serverName: Nullable(Type.String()),
});
export type AlertChange = Static<typeof AlertChange>;

/** Answer of GET /api/alerts. */
export const AlertsAnswer = Type.Object({
  asOf: DateTime(),
  counts: AlertCounts,
  current: Type.Array(AlertView, {
    description: 'enabled alerts in low/medium/high, most severe first, then newest change first',
  }),
  history: Type.Array(AlertChange, { description: 'state changes, newest first' }),
  historySource: Type.Union([Type.Literal('alert_history'), Type.Literal('last_change')], {
    description: 'alert_history: every change; last_change: only the last change of each alert is known',
  }),
});
export type AlertsAnswer = Static<typeof AlertsAnswer>;
