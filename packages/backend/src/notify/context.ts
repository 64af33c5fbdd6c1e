/**
 * The values a notification is made of, as `pem.alert_context` (sql/functions/notify/)
 * freezes them into the outbox row when the event happens, and the
 * `%Placeholder%` names templates use for them (docs/alerts.md lists them).
 */

/** The context of one notification (snake_case keys as stored in `pem.notification_outbox.context`). */
export interface NotificationContext {
  alert_id: number | null;
  alert_name: string;
  /** What the template applies to: agent, server or database. */
  alert_level: string;
  description?: string;
  unit?: string;
  object?: string;
  object_name: string;
  agent_id?: number | null;
  agent_name?: string | null;
  server_id?: number | null;
  server_name?: string | null;
  database_name?: string | null;
  operator?: string;
  low_threshold?: number;
  medium_threshold?: number;
  high_threshold?: number;
  /** The threshold of the current state (null when none). */
  threshold?: number | null;
  current_value?: number | null;
  detail?: string | null;
  current_state: string;
  previous_state: string | null;
  /** raised, changed, cleared, reminder, flapping_started, flapping_stopped or test. */
  event: string;
  flapping?: boolean;
  /** When the current non-none episode started (ISO 8601), null when never raised. */
  raised_at?: string | null;
  /** When the event happened (ISO 8601). */
  event_at: string;
  event_seq?: number;
  [key: string]: unknown;
}

/** What delivery adds to the context: the outbox id and the duplicate-suppression key. */
export interface DeliveryFacts {
  deliveryId: number;
  idempotencyKey: string;
  attempt: number;
}

/** Placeholder name (without the % signs) -> context key or delivery fact. */
export const PLACEHOLDERS: Readonly<Record<string, string>> = {
  AlertId: 'alert_id',
  AlertName: 'alert_name',
  AlertLevel: 'alert_level',
  Description: 'description',
  Unit: 'unit',
  Object: 'object',
  ObjectName: 'object_name',
  AgentId: 'agent_id',
  AgentID: 'agent_id',
  AgentName: 'agent_name',
  ServerId: 'server_id',
  ServerID: 'server_id',
  ServerName: 'server_name',
  DatabaseName: 'database_name',
  Operator: 'operator',
  LowThreshold: 'low_threshold',
  MediumThreshold: 'medium_threshold',
  HighThreshold: 'high_threshold',
  ThresholdValue: 'threshold',
  CurrentValue: 'current_value',
  Detail: 'detail',
  CurrentState: 'current_state',
  PreviousState: 'previous_state',
  OldState: 'previous_state',
  Event: 'event',
  Flapping: 'flapping',
  AlertRaisedTime: 'raised_at',
  EventTime: 'event_at',
  EventSeq: 'event_seq',
  DeliveryId: '@deliveryId',
  IdempotencyKey: '@idempotencyKey',
  Attempt: '@attempt',
};

/**
 * The value of placeholder `name` (without % signs) in `ctx` and `facts`;
 * undefined when `name` is not a placeholder. Missing context values are null.
 */
export function placeholderValue(
  name: string,
  ctx: NotificationContext,
  facts: DeliveryFacts,
): string | number | boolean | null | undefined {
  const key = PLACEHOLDERS[name];
  if (key === undefined) return undefined;
  if (key.startsWith('@')) return facts[key.slice(1) as keyof DeliveryFacts];
  const v = ctx[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}
