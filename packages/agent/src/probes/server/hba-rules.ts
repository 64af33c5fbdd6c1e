/**
 * `hba_rules` probe: the rules of pg_hba.conf as the server parsed them,
 * with their errors (docs/reference/metrics.md family 14; docs/reference/pem-facts.md §4 "pg_hba rules").
 *
 * Source: view-pg-hba-file-rules.html: `line_number`, `type`, `database`,
 * `user_name`, `address`, `netmask`, `auth_method`, `options`, `error`;
 * `rule_number` and `file_name` 16+. The view is readable only by
 * superusers unless granted: `pg_monitor` alone gets "permission denied",
 * recorded in the probe log. Disabled by default; to use it run
 * `GRANT SELECT ON pg_hba_file_rules TO <monitoring role>; GRANT EXECUTE ON
 * FUNCTION pg_hba_file_rules() TO <monitoring role>` and enable the probe.
 * Object = `file:line` (16+) or the line number.
 */
import { count, text } from '../columns.js';
import type { Probe } from '../types.js';

const common = (rule: string, ruleNumber: string) => `
SELECT ${rule} AS rule, ${ruleNumber} AS rule_number, line_number, type,
       array_to_string(database, ',') AS database, array_to_string(user_name, ',') AS user_name,
       address, netmask, auth_method, array_to_string(options, ',') AS options, error
  FROM pg_hba_file_rules
 ORDER BY line_number`;

const SQL_13 = common('line_number::text', 'NULL::int');
const SQL_16 = common("coalesce(file_name || ':', '') || line_number", 'rule_number');

/** The `hba_rules` probe: one row per rule (object = `file:line`). */
export const hbaRulesProbe: Probe = {
  name: 'hba_rules',
  level: 'server',
  runsOn: 'both',
  intervalS: 300,
  timeoutMs: 5000,
  history: 'changes',
  enabledByDefault: false,
  description: 'pg_hba.conf rules and their errors (needs SELECT on pg_hba_file_rules)',
  sql: { 13: SQL_13, 16: SQL_16 },
  objectColumn: 'rule',
  columns: [
    text('rule'),
    count('rule_number'),
    count('line_number'),
    text('type'),
    text('database'),
    text('user_name'),
    text('address'),
    text('netmask'),
    text('auth_method'),
    text('options'),
    text('error'),
  ],
};
