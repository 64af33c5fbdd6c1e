/**
 * `settings` probe: every configuration parameter (docs/reference/metrics.md family 14;
 * docs/reference/pem-facts.md §4 "settings").
 *
 * Source: view-pg-settings.html (`setting`, `unit`, `source`, `context`,
 * `vartype`, `pending_restart`). Reading every value needs
 * `pg_read_all_settings` (in `pg_monitor`). Slowly changing: history keeps
 * only the settings whose row changed. Object = parameter name. 13-17.
 *
 * Secrets never leave the monitored server: in string settings (e.g.
 * `primary_conninfo`, `archive_command`, `restore_command`) a password in a
 * connection string (`password=...`, quoted or not), the password of a URL
 * (`scheme://user:secret@`) and the value of a `*password*`, `*passwd*`,
 * `*secret*`, `*token*` or `*access_key*` assignment (`NAME=value`) are
 * replaced by `********` (security review L7). See settings.int.test.ts.
 */
import { bool, text } from '../columns.js';
import type { Probe } from '../types.js';

/** The replacement of a secret in a setting's value. */
export const REDACTED = '********';

const SQL_13 = `
SELECT name,
       CASE WHEN vartype = 'string' THEN
         regexp_replace(
           regexp_replace(
             regexp_replace(setting,
               '(password\\s*=\\s*)(''([^''\\\\]|\\\\.)*''|[^\\s'']+)', '\\1${REDACTED}', 'gi'),
             '(://[^:/@\\s]+:)[^@\\s/]+@', '\\1${REDACTED}@', 'g'),
           '(\\m[a-z_]*(passw(or)?d|pwd|secret|token|access_key)[a-z_]*\\s*=\\s*)(''[^'']*''|"[^"]*"|[^\\s''";]+)',
           '\\1${REDACTED}', 'gi')
       ELSE setting END AS setting,
       unit, source, context, vartype, pending_restart
  FROM pg_settings
 ORDER BY name`;

/** The `settings` probe: one row per parameter (object = name). */
export const settingsProbe: Probe = {
  name: 'settings',
  level: 'server',
  runsOn: 'both',
  intervalS: 300,
  timeoutMs: 5000,
  history: 'changes',
  description: 'Configuration parameters: value, unit, source, pending restart',
  sql: { 13: SQL_13 },
  objectColumn: 'name',
  columns: [
    text('name'),
    text('setting'),
    text('unit'),
    text('source'),
    text('context'),
    text('vartype'),
    bool('pending_restart'),
  ],
};
