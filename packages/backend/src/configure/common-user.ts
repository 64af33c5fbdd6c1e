/**
 * The common agent user model (docs/reference/pem-facts.md §7; the reference's "Prepare
 * agent users and certificates" and the step after installing on the
 * primary): the operator creates `common_agent_user` and grants it CONNECT on
 * template1 so the first registration can connect; afterwards the reference
 * asks the operator to run
 *
 *     GRANT pem_agent TO common_agent_user;
 *     REVOKE CONNECT ON DATABASE template1 FROM common_agent_user;
 *
 * Pharos does both for the operator (the grant through ensureAgentRole, the
 * revoke here), only when needed, so a second run changes nothing.
 */
import type { Queryable } from '@pharos/core/query';
import { roleIdent } from './register.js';

/**
 * Revokes an explicit CONNECT on template1 from `user` if it holds one
 * (PUBLIC's default CONNECT is not the user's own grant and stays).
 * Resolves true when it revoked something.
 */
export async function revokeTemplate1Connect(tx: Queryable, user: string): Promise<boolean> {
  const ident = roleIdent(user, 'agent user');
  const r = await tx.query<{ has: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_database d CROSS JOIN LATERAL aclexplode(d.datacl) a
        WHERE d.datname = 'template1' AND a.privilege_type = 'CONNECT'
          AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)) AS has`,
    [user],
  );
  if (!r.rows[0]?.has) return false;
  await tx.query(`REVOKE CONNECT ON DATABASE template1 FROM ${ident}`);
  return true;
}
