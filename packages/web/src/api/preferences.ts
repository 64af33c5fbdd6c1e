/**
 * The caller's own preferences (time range, refresh interval, chosen
 * dashboards, theme), stored in the backend:
 *
 * - `GET /api/preferences`: the preferences with defaults filled in.
 * - `PATCH /api/preferences {fields...}`: merges the given fields; needs the
 *   CSRF token (403 without). Readers (pem_user) may change their own
 *   preferences: they are the user's, not the monitored system's.
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { readPreferences, updatePreferences } from './preferences-store.js';
import { authErrorResponses } from './shapes/common.js';
import { Preferences, PreferencesPatch } from './shapes/preferences.js';

/** Registers GET and PATCH /api/preferences on `app`. */
export function registerPreferencesRoutes(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  const withSession = requireSession(store);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/api/preferences',
    {
      schema: {
        summary: "The caller's preferences",
        tags: ['preferences'],
        response: { 200: Preferences, ...authErrorResponses },
      },
      preHandler: withSession,
    },
    async (request) => readPreferences(db, request.pharosSession!.roleName, request.log),
  );
  api.patch(
    '/api/preferences',
    {
      schema: {
        summary: "Changes some of the caller's preferences (needs the CSRF token)",
        tags: ['preferences'],
        body: PreferencesPatch,
        response: { 200: Preferences, ...authErrorResponses },
      },
      preHandler: withSession,
    },
    async (request) => updatePreferences(db, request.pharosSession!.roleName, request.body, request.log),
  );
}
