/**
 * `ssl` probe: which client sessions use TLS (docs/reference/metrics.md family 16).
 *
 * Source: monitoring-stats.html#MONITORING-PG-STAT-SSL-VIEW (`ssl`,
 * `version`, `client_dn`) joined to pg_stat_activity on `pid` (client
 * backends only). One row per protocol (`plain` for sessions without TLS).
 * Object = protocol. 13-17.
 */
import { count, text } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
WITH s AS (
  SELECT CASE WHEN x.ssl THEN coalesce(x.version, 'unknown') ELSE 'plain' END AS protocol, x.client_dn
    FROM pg_stat_activity a JOIN pg_stat_ssl x ON x.pid = a.pid
   WHERE a.backend_type = 'client backend'
), p(protocol) AS (
  SELECT 'plain' UNION SELECT protocol FROM s
)
SELECT p.protocol,
       (SELECT count(*) FROM s WHERE s.protocol = p.protocol)::int AS sessions,
       (SELECT count(*) FROM s WHERE s.protocol = p.protocol AND s.client_dn IS NOT NULL)::int
         AS with_client_certificate
  FROM p ORDER BY p.protocol`;

/** The `ssl` probe: one row per protocol (object = `plain`, `TLSv1.3`...). */
export const sslProbe: Probe = {
  name: 'ssl',
  level: 'server',
  runsOn: 'both',
  intervalS: 60,
  timeoutMs: 5000,
  description: 'Client sessions by TLS protocol (plain = no TLS), with client certificates',
  sql: { 13: SQL_13 },
  objectColumn: 'protocol',
  columns: [text('protocol'), count('sessions'), count('with_client_certificate')],
};
