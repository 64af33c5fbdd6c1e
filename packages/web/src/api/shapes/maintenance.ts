/**
 * Shapes of the maintenance window routes (api/maintenance.ts; issue 18,
 * docs/web-api.md "Maintenance windows", docs/maintenance.md). Field names
 * are the ones pem.maintenance_start names in its errors
 * (packages/backend/sql/functions/maintenance/04_maintenance_start.sql), so a
 * 400/404 `field` points at a field of the body.
 */
import { type Static, Type } from 'typebox';
import { DateTime, Id, Nullable, Text } from './common.js';

const Scope = Type.Enum(['server', 'agent', 'group', 'fleet'], {
  description:
    'what it covers: a server; an agent (its own alerts and those of the servers bound to it); the servers carrying a tag; the whole fleet',
});
const Schedule = Type.Enum(['once', 'weekly'], {
  description: 'once: [startsAt, endsAt); weekly: on weekdays at startTime in timeZone, for durationS',
});

/** Body of POST /api/maintenance. */
export const MaintenanceStartBody = Type.Object(
  {
    scope: Scope,
    serverId: Type.Optional(Id('scope server: the server')),
    agentId: Type.Optional(Id('scope agent: the agent')),
    group: Type.Optional(Text({ minLength: 1, maxLength: 100, description: 'scope group: a server tag' })),
    schedule: Type.Optional(Schedule),
    startsAt: Type.Optional(
      DateTime('once: the start; weekly: the recurrence applies from then on (default: now)'),
    ),
    endsAt: Type.Optional(DateTime('once: the end (or durationS); weekly: the recurrence’s end (optional)')),
    durationS: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: 604800,
        description: 'once: the length instead of endsAt; weekly: each occurrence’s length, seconds',
      }),
    ),
    weekdays: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
        minItems: 1,
        maxItems: 7,
        description: 'weekly: ISO weekdays, 1 = Monday .. 7 = Sunday',
      }),
    ),
    startTime: Type.Optional(
      Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'weekly: local time HH:MM' }),
    ),
    timeZone: Type.Optional(
      Text({ minLength: 1, maxLength: 64, description: 'weekly: IANA time zone name, e.g. Europe/Paris' }),
    ),
    reason: Text({ minLength: 1, maxLength: 500, description: 'why (shown wherever the window is)' }),
  },
  { additionalProperties: false },
);
export type MaintenanceStartBody = Static<typeof MaintenanceStartBody>;

/** Query of GET /api/maintenance. */
export const MaintenanceListQuery = Type.Object(
  {
    all: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'stopped and past windows too (default: active and scheduled)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type MaintenanceListQuery = Static<typeof MaintenanceListQuery>;

/** One maintenance window. */
export const MaintenanceWindow = Type.Object(
  {
    id: Type.Integer(),
    scope: Scope,
    serverId: Nullable(Type.Integer()),
    serverName: Nullable(Type.String()),
    agentId: Nullable(Type.Integer()),
    agentName: Nullable(Type.String()),
    group: Nullable(Type.String()),
    target: Type.String({ description: 'what it covers, in words' }),
    schedule: Schedule,
    startsAt: DateTime(),
    endsAt: Nullable(DateTime()),
    weekdays: Nullable(Type.Array(Type.Integer())),
    startTime: Nullable(Type.String()),
    durationS: Nullable(Type.Integer()),
    timeZone: Nullable(Type.String()),
    reason: Type.String(),
    createdBy: Type.String(),
    createdAt: DateTime(),
    stoppedAt: Nullable(DateTime()),
    stoppedBy: Nullable(Type.String()),
    status: Type.Enum(['active', 'scheduled', 'stopped', 'over']),
    occurrence: Nullable(
      Type.Object(
        { startsAt: DateTime(), endsAt: DateTime() },
        { additionalProperties: false, description: 'the current (active) or next (scheduled) occurrence' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type MaintenanceWindow = Static<typeof MaintenanceWindow>;

/** Answer of POST /api/maintenance/:id/stop. */
export const MaintenanceStopped = Type.Object(
  {
    window: MaintenanceWindow,
    wasActive: Type.Boolean({ description: 'it covered its objects when it was stopped' }),
  },
  { additionalProperties: false },
);
export type MaintenanceStopped = Static<typeof MaintenanceStopped>;

/** A maintenance window covering a server or agent now (server page, overview). */
export const MaintenanceNow = Type.Object(
  {
    windowId: Type.Integer(),
    scope: Scope,
    reason: Type.String(),
    setBy: Type.String(),
    setAt: DateTime(),
    until: Nullable(DateTime('the end of the current occurrence')),
  },
  { additionalProperties: false, description: 'in maintenance: alerts are recorded but notify nobody' },
);
export type MaintenanceNow = Static<typeof MaintenanceNow>;
