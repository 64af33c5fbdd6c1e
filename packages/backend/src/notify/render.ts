/**
 * Renders notification templates: webhook payloads (JSON with `%Placeholder%`
 * strings) and email subject/body (text with `%Placeholder%`s). The values
 * come from the outbox row's frozen context (see ./context.ts).
 *
 * JSON templates are rendered by walking the parsed template, never by text
 * substitution, so a value can never break the JSON or inject keys: a string
 * that is exactly one placeholder becomes the typed value (number, boolean,
 * null); placeholders inside a longer string are replaced by their text ('' for
 * null). Unknown `%Words%` are left as they are.
 */
import { type DeliveryFacts, type NotificationContext, placeholderValue } from './context.js';

/** A JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const WHOLE = /^%([A-Za-z]+)%$/;
const ANY = /%([A-Za-z]+)%/g;

/** The default webhook payload template (used when a webhook has none). */
export const DEFAULT_PAYLOAD_TEMPLATE: Json = {
  alert: {
    id: '%AlertId%',
    name: '%AlertName%',
    level: '%AlertLevel%',
    description: '%Description%',
  },
  object: {
    name: '%ObjectName%',
    agent_id: '%AgentId%',
    agent_name: '%AgentName%',
    server_id: '%ServerId%',
    server_name: '%ServerName%',
    database: '%DatabaseName%',
  },
  event: '%Event%',
  state: '%CurrentState%',
  previous_state: '%PreviousState%',
  value: '%CurrentValue%',
  unit: '%Unit%',
  detail: '%Detail%',
  operator: '%Operator%',
  threshold: '%ThresholdValue%',
  thresholds: { low: '%LowThreshold%', medium: '%MediumThreshold%', high: '%HighThreshold%' },
  flapping: '%Flapping%',
  raised_at: '%AlertRaisedTime%',
  event_at: '%EventTime%',
  idempotency_key: '%IdempotencyKey%',
  delivery_id: '%DeliveryId%',
};

/** Default email subject template. */
export const DEFAULT_SUBJECT_TEMPLATE = '[Pharos] %CurrentState%: %AlertName% on %ObjectName% (%Event%)';

/** Default email body template. */
export const DEFAULT_BODY_TEMPLATE = `Alert:          %AlertName% (%AlertLevel%)
Object:         %ObjectName%
Event:          %Event%
State:          %PreviousState% -> %CurrentState%
Current value:  %CurrentValue% %Unit% (%Detail%)
Thresholds:     %Operator% low %LowThreshold%, medium %MediumThreshold%, high %HighThreshold%
Raised at:      %AlertRaisedTime%
Event time:     %EventTime%
Agent:          %AgentName% (id %AgentId%)
Server:         %ServerName% (id %ServerId%)
Flapping:       %Flapping%

%Description%

Duplicate-suppression key: %IdempotencyKey%
`;

/** Replaces every known `%Placeholder%` in `text` by its value's text ('' for null). */
export function renderText(text: string, ctx: NotificationContext, facts: DeliveryFacts): string {
  return text.replace(ANY, (whole, name: string) => {
    const v = placeholderValue(name, ctx, facts);
    if (v === undefined) return whole;
    return v === null ? '' : String(v);
  });
}

/** Renders a JSON template (see the module note): a new value, the template untouched. */
export function renderJson(template: Json, ctx: NotificationContext, facts: DeliveryFacts): Json {
  if (typeof template === 'string') {
    const m = WHOLE.exec(template);
    if (m) {
      const v = placeholderValue(m[1]!, ctx, facts);
      if (v !== undefined) return v;
    }
    return renderText(template, ctx, facts);
  }
  if (Array.isArray(template)) return template.map((t) => renderJson(t, ctx, facts));
  if (template !== null && typeof template === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(template)) out[renderText(k, ctx, facts)] = renderJson(v, ctx, facts);
    return out;
  }
  return template;
}

/** `%Words%` in a template (JSON or text) that are not placeholders: for validating templates. */
export function unknownPlaceholders(template: Json | string): string[] {
  const text = typeof template === 'string' ? template : JSON.stringify(template);
  const dummyCtx = {
    alert_id: 0,
    alert_name: '',
    alert_level: '',
    object_name: '',
    current_state: '',
    previous_state: '',
    event: '',
    event_at: '',
  };
  const found = new Set<string>();
  for (const m of text.matchAll(ANY)) {
    if (placeholderValue(m[1]!, dummyCtx, { deliveryId: 0, idempotencyKey: '', attempt: 0 }) === undefined)
      found.add(m[1]!);
  }
  return [...found].sort();
}
