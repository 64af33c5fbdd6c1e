/**
 * Judges one backend's PostgreSQL settings (pure): `ssl` (PostgreSQL docs
 * §20.9 "SSL") and the HBA rules in force, i.e. the rows of
 * `pg_hba_file_rules` (§54.9: the current pg_hba.conf as parsed, with an
 * `error` per line that cannot be loaded), against the plan's rules
 * (render/dynamic-config.ts: what Patroni writes into pg_hba.conf).
 */
import { sslDynamicConfig } from '../render/dynamic-config.js';
import type { Topology } from '../topology/types.js';
import { canonicalHbaEntry, canonicalHbaRow, type HbaFileRuleRow } from './hba-rule.js';
import { type CheckResult, result } from './result.js';
import { compareRuleLists } from './rule-list-compare.js';

/** `postgresql.ssl` for `backend`: `SHOW ssl` must be on. */
export function evaluateSsl(backend: string, ssl: string): CheckResult {
  return ssl === 'on'
    ? result('postgresql', 'postgresql.ssl', backend, 'ok', 'ssl = on')
    : result(
        'postgresql',
        'postgresql.ssl',
        backend,
        'failed',
        `ssl = ${ssl}`,
        'set ssl: on with the certificate files through patronictl edit-config (dynamic-config.yml of the plan)',
      );
}

/**
 * `postgresql.hba` for `backend`: no row with an error, and the rules in
 * the planned order (comments ignored, canonical forms of hba-rule.ts).
 */
export function evaluateHbaRows(topo: Topology, backend: string, rows: HbaFileRuleRow[]): CheckResult {
  const errors = rows.filter((r) => r.error);
  const action =
    'fix postgresql.pg_hba with patronictl edit-config (Patroni rewrites pg_hba.conf on every member and reloads)';
  if (errors.length > 0) {
    return result(
      'postgresql',
      'postgresql.hba',
      backend,
      'failed',
      `${errors.length} rule(s) cannot be loaded: ${errors.map((r) => `line ${r.line_number}: ${r.error}`).join('; ')}`,
      action,
    );
  }
  const planned = sslDynamicConfig(topo)
    .postgresql.pg_hba.map(canonicalHbaEntry)
    .filter((r) => r !== undefined);
  const c = compareRuleLists(planned, rows.map(canonicalHbaRow));
  return c.equal
    ? result(
        'postgresql',
        'postgresql.hba',
        backend,
        'ok',
        `${c.actual} rules in force, as planned and in order`,
      )
    : result(
        'postgresql',
        'postgresql.hba',
        backend,
        'failed',
        `${c.actual} rules in force, ${c.planned} planned: ${c.differences.join('; ')}`,
        action,
      );
}
