/**
 * The caller's own preferences (time range, refresh interval, chosen
 * dashboards, theme), stored in the backend:
 *
 * - `GET /api/preferences`: the preferences with defaults filled in.
 * - `PATCH /api/preferences {fields...}`: merges the given fields; needs the
 *   CSRF token (403 without). Readers (pem_user) may change their own
 *   preferences: they are the user's, not the monitored system's.
 */

import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { TIME_RANGE_IDS } from '../../ui/contract/time-ranges.js';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { type Preferences, readPreferences, updatePreferences } from './preferences-store.js';
import { authErrorResponses, errorSchema } from './schemas.js';

const fields = {
  timeRange: {
    type: 'string',
    enum: TIME_RANGE_IDS,
    description: 'chart time range (the last ...)',
  },
  refreshIntervalS: {
    type: 'integer',
    minimum: 0,
    maximum: 3600,
    description: 'seconds between automatic refreshes; 0 = off',
  },
  dashboards: {
    type: 'array',
    items: { type: 'string', pattern: '^[a-z0-9_]{1,40}$' },
    maxItems: 32,
    uniqueItems: true,
    description: 'chart ids shown on the server analysis page, in order; empty = all',
  },
  theme: { type: 'string', enum: ['light', 'dark', 'system'] },
} as const;

/** The complete preference set (answer of both routes). */
export const preferencesSchema = {
  type: 'object',
  properties: fields,
  required: Object.keys(fields),
} as const;

/** Body of PATCH /api/preferences: any subset of the fields, nothing else. */
export const preferencesPatchSchema = {
  type: 'object',
  properties: fields,
  additionalProperties: false,
  minProperties: 1,
} as const;

/** Registers GET and PATCH /api/preferences on `app`. */
export function registerPreferencesRoutes(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  const withSession = requireSession(store);
  app.get(
    '/api/preferences',
    {
      schema: {
        summary: "The caller's preferences",
        tags: ['preferences'],
        response: { 200: preferencesSchema, ...authErrorResponses },
      },
      preHandler: withSession,
    },
    async (request) => readPreferences(db, request.pharosSession!.roleName, request.log),
  );
  app.patch<{ Body: Partial<Preferences> }>(
    '/api/preferences',
    {
      schema: {
        summary: "Changes some of the caller's preferences (needs the CSRF token)",
        tags: ['preferences'],
        body: preferencesPatchSchema,
        response: { 200: preferencesSchema, 400: errorSchema, ...authErrorResponses },
      },
      preHandler: withSession,
    },
    async (request) => updatePreferences(db, request.pharosSession!.roleName, request.body, request.log),
  );
}
