/**
 * What a Patroni member's role says of its PostgreSQL: primary or standby.
 * Used where a monitored server's observed role comes from its cluster's
 * last look (servers.ts); the roles are those of Patroni's REST API
 * `GET /cluster` (`leader`, `standby_leader`, `replica`, `sync_standby`,
 * ...; `master` and `primary` from older versions).
 */

/**
 * Patroni roles whose member holds the leader key, and is the primary (a
 * standby cluster's leader is not).
 * @returns 'primary' for leader/master/primary, 'standby' for any other role, null for null
 */
export function roleOfPatroni(role: string | null): 'primary' | 'standby' | null {
  if (role === null) return null;
  if (role === 'leader' || role === 'master' || role === 'primary') return 'primary';
  return 'standby';
}
