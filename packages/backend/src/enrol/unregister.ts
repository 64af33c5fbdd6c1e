/**
 * Unregistering an agent without the superuser (issue 14): what
 * `DELETE /api/agents/:id` and `pharos agent unregister --url` do, through
 * `pem.agent_unregister` (sql/functions/registration/): the agent's row,
 * latest values, tasks and alerts go, its certificates are marked revoked,
 * its database user is dropped; servers it monitors are refused unless
 * `removeServers` (they are removed first, history kept).
 */
import type { Queryable } from '@pharos/core/query';
import { withFleetErrors } from '../fleet/sql-errors.js';

/**
 * Unregisters agent `id` on behalf of `actor`; resolves to what was done,
 * one line each. @throws PHAROS_AGENT_NOT_FOUND (404, id) for an unknown
 * agent, PHAROS_AGENT_IN_USE (409) when it still monitors servers (named)
 * and `removeServers` is false, or monitors a PEM backend node.
 */
export async function unregisterAgentAsAdmin(
  db: Queryable,
  actor: string,
  id: number,
  removeServers: boolean,
): Promise<string[]> {
  return withFleetErrors(
    'agent',
    async () =>
      (
        await db.query<{ actions: string[] }>('SELECT pem.agent_unregister($1, $2, $3) AS actions', [
          actor,
          id,
          removeServers,
        ])
      ).rows[0]!.actions,
  );
}
