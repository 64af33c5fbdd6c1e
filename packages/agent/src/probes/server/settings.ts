/**
 * `settings` probe: every configuration parameter (docs/reference/metrics.md family 14;
 * docs/reference/pem-facts.md §4 "settings").
 *
 * Source: view-pg-settings.html (`setting`, `unit`, `source`, `context`,
 * `vartype`, `pending_restart`). Reading every value needs
 * `pg_read_all_settings` (in `pg_monitor`). Slowly changing: history keeps
 * only the settings whose row changed. Object = parameter name. 13-17.
 */
import { bool, text } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT name, setting, unit, source, context, vartype, pending_restart
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
