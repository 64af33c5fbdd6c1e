/**
 * The web instances' service role (docs/deviations.md "Web service role"):
 * a login role, member of pem_web (sessions, preferences) and of pem_user
 * (so the reference's `+pem_user` HBA rules for the web hosts admit it).
 * The password is sent as a SCRAM verifier, never in clear; a role whose
 * stored verifier already matches is left alone, so a second run changes
 * nothing.
 */
import type { Queryable } from '@pharos/core/query';
import { roleIdent } from './register.js';
import { scramMatches, scramVerifier } from './scram.js';

/** Creates or settles the web service role. Resolves true when it changed anything. */
export async function ensureWebServiceRole(
  tx: Queryable,
  role: { name: string; password: string },
): Promise<boolean> {
  const ident = roleIdent(role.name, 'web service role');
  const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const r = await tx.query<{ can_login: boolean; password: string | null }>(
    'SELECT rolcanlogin AS can_login, rolpassword AS password FROM pg_authid WHERE rolname = $1',
    [role.name],
  );
  let changed = false;
  const cur = r.rows[0];
  if (!cur) {
    await tx.query(`CREATE ROLE ${ident} LOGIN PASSWORD ${lit(scramVerifier(role.password))}`);
    changed = true;
  } else {
    if (!cur.can_login) {
      await tx.query(`ALTER ROLE ${ident} LOGIN`);
      changed = true;
    }
    if (!scramMatches(cur.password, role.password)) {
      await tx.query(`ALTER ROLE ${ident} PASSWORD ${lit(scramVerifier(role.password))}`);
      changed = true;
    }
  }
  for (const group of ['pem_web', 'pem_user']) {
    const m = await tx.query(
      `SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
        WHERE g.rolname = $1 AND u.rolname = $2`,
      [group, role.name],
    );
    if (m.rows.length === 0) {
      await tx.query(`GRANT ${group} TO ${ident}`);
      changed = true;
    }
  }
  return changed;
}
