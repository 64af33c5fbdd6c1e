/**
 * `user_info` probe: login roles and their password expiry (docs/reference/pem-facts.md §4
 * "user information (password expiry)").
 *
 * Source: view-pg-roles.html (`rolcanlogin`, `rolsuper`, `rolreplication`,
 * `rolconnlimit`, `rolvaliduntil`; the password itself is never readable).
 * `valid_until` is NULL when the password never expires ('infinity' or no
 * limit). Slowly changing: history keeps change points. Object = role name.
 * 13-17.
 */
import { bool, count, text, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT r.rolname AS role_name, r.rolsuper AS superuser, r.rolreplication AS replication,
       r.rolconnlimit AS connection_limit,
       CASE WHEN r.rolvaliduntil = 'infinity' THEN NULL ELSE r.rolvaliduntil END AS valid_until
  FROM pg_roles r
 WHERE r.rolcanlogin
 ORDER BY r.rolname`;

/** The `user_info` probe: one row per login role (object = role name). */
export const userInfoProbe: Probe = {
  name: 'user_info',
  level: 'server',
  runsOn: 'both',
  intervalS: 300,
  timeoutMs: 5000,
  history: 'changes',
  description: 'Login roles: superuser, replication, connection limit, password expiry',
  sql: { 13: SQL_13 },
  objectColumn: 'role_name',
  columns: [
    text('role_name'),
    bool('superuser'),
    bool('replication'),
    count('connection_limit'),
    timestamp('valid_until'),
  ],
};
