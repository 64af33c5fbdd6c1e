/**
 * User preferences in the backend (pem.user_preference, one jsonb object per
 * PostgreSQL role), so every web instance shows a user the same settings.
 * Reads fill in the defaults; writes merge the given fields into the stored
 * object (a field set to its default stays stored). Only the logged-in role's
 * own row is ever read or written.
 */
import type { Queryable } from '@pharos/core/query';
import { type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';
import type { Preferences, PreferencesPatch } from './shapes/preferences.js';

export type { Preferences, PreferencesPatch };

/** What a user gets before saving anything. */
export const DEFAULT_PREFERENCES: Preferences = {
  timeRange: '1h',
  refreshIntervalS: 10,
  dashboards: [],
  theme: 'system',
};

/** The stored preferences with the defaults filled in; unknown stored keys are dropped. */
export function withDefaults(stored: Record<string, unknown> | undefined): Preferences {
  const out: Preferences = { ...DEFAULT_PREFERENCES };
  for (const key of Object.keys(DEFAULT_PREFERENCES) as (keyof Preferences)[]) {
    if (stored?.[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = stored[key];
  }
  return out;
}

/** Reads `role`'s preferences (defaults when none are stored). Throws BackendFailingOverError. */
export async function readPreferences(db: Queryable, role: string, logger?: LogSink): Promise<Preferences> {
  const rows = await withFailoverRetry(
    async () =>
      (
        await db.query<{ prefs: Record<string, unknown> }>(
          'SELECT prefs FROM pem.user_preference WHERE role_name = $1',
          [role],
          { deadlineMs: STATEMENT_DEADLINE_MS },
        )
      ).rows,
    { logger, what: 'read preferences' },
  );
  return withDefaults(rows[0]?.prefs);
}

/**
 * Merges `change` (already validated: known fields only) into `role`'s stored
 * preferences and returns the result with defaults. The upsert is safe to
 * repeat, so it gets the failover retry. Throws BackendFailingOverError.
 */
export async function updatePreferences(
  db: Queryable,
  role: string,
  change: Partial<Preferences>,
  logger?: LogSink,
): Promise<Preferences> {
  const rows = await withFailoverRetry(
    async () =>
      (
        await db.query<{ prefs: Record<string, unknown> }>(
          `INSERT INTO pem.user_preference AS p (role_name, prefs) VALUES ($1, $2::jsonb)
           ON CONFLICT (role_name) DO UPDATE SET prefs = p.prefs || excluded.prefs, updated_at = now()
           RETURNING prefs`,
          [role, JSON.stringify(change)],
          { deadlineMs: STATEMENT_DEADLINE_MS },
        )
      ).rows,
    { logger, what: 'update preferences' },
  );
  return withDefaults(rows[0]?.prefs);
}
