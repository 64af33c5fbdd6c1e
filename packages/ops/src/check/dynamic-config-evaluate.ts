/**
 * Compares Patroni's dynamic configuration (`GET /config`, Patroni 4 docs
 * "REST API" / "Dynamic Configuration Settings") with the plan: the
 * timings of `bootstrap.dcs` (render/patroni.ts) and the SSL parameters
 * and HBA rules of the PEM change (render/dynamic-config.ts,
 * `sslDynamicConfig`). Pure.
 */
import { sslDynamicConfig } from '../render/dynamic-config.js';
import type { Topology } from '../topology/types.js';
import { canonicalHbaEntry } from './hba-rule.js';
import { type CheckResult, result } from './result.js';
import { compareRuleLists } from './rule-list-compare.js';

/** Patroni's own defaults for the timings when the DCS does not set them (Patroni docs, "Dynamic Configuration Settings"). */
export const PATRONI_DEFAULTS = {
  ttl: 30,
  loop_wait: 10,
  retry_timeout: 10,
  maximum_lag_on_failover: 1048576,
  failsafe_mode: false,
} as const;

const EDIT =
  'patronictl edit-config (or PATCH /config) with the planned values: pharos plan writes them to dynamic-config.yml';

/** A parameter value as PostgreSQL reads it: booleans (YAML `on` becomes true in PyYAML) as on/off, the rest as text. */
export function parameterText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === true) return 'on';
  if (v === false) return 'off';
  const s = String(v);
  if (s === 'true') return 'on';
  if (s === 'false') return 'off';
  return s;
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** `patroni.config.timings`: ttl, loop_wait, retry_timeout, maximum_lag_on_failover, failsafe_mode as planned. */
export function evaluateTimings(topo: Topology, config: Record<string, unknown>): CheckResult {
  const planned = {
    ttl: topo.patroni.ttl,
    loop_wait: topo.patroni.loop_wait,
    retry_timeout: topo.patroni.retry_timeout,
    maximum_lag_on_failover: topo.patroni.maximum_lag_on_failover,
    failsafe_mode: topo.patroni.failsafe_mode,
  };
  const diffs: string[] = [];
  const facts: string[] = [];
  for (const [k, want] of Object.entries(planned)) {
    const raw = config[k];
    const got = raw === undefined ? PATRONI_DEFAULTS[k as keyof typeof PATRONI_DEFAULTS] : raw;
    const shown = `${k} ${String(got)}${raw === undefined ? ' (default)' : ''}`;
    facts.push(shown);
    if (String(got) !== String(want)) diffs.push(`${shown}, planned ${String(want)}`);
  }
  return diffs.length > 0
    ? result('patroni', 'patroni.config.timings', 'cluster', 'failed', diffs.join('; '), EDIT)
    : result(
        'patroni',
        'patroni.config.timings',
        'cluster',
        'ok',
        facts.filter((f) => !f.startsWith('failsafe')).join(', '),
      );
}

/** `patroni.config.ssl`: every planned SSL parameter set to its value; no CRL file when none is planned. */
export function evaluateSslParameters(topo: Topology, config: Record<string, unknown>): CheckResult {
  const plan = sslDynamicConfig(topo).postgresql.parameters as Record<string, string>;
  const params = record(record(config.postgresql).parameters);
  const diffs: string[] = [];
  for (const [k, want] of Object.entries(plan)) {
    const got = parameterText(params[k]);
    if (got !== want) diffs.push(`${k} is ${got === undefined ? 'not set' : `'${got}'`}, planned '${want}'`);
  }
  if (plan.ssl_crl_file === undefined && parameterText(params.ssl_crl_file)) {
    diffs.push(`ssl_crl_file is '${parameterText(params.ssl_crl_file)}', the plan has no CRL`);
  }
  return diffs.length > 0
    ? result('patroni', 'patroni.config.ssl', 'cluster', 'failed', diffs.join('; '), EDIT)
    : result(
        'patroni',
        'patroni.config.ssl',
        'cluster',
        'ok',
        Object.entries(plan)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
      );
}

/** `patroni.config.hba`: `postgresql.pg_hba` holds the planned rules in the planned order (comments ignored). */
export function evaluateHbaConfig(topo: Topology, config: Record<string, unknown>): CheckResult {
  const planned = sslDynamicConfig(topo)
    .postgresql.pg_hba.map(canonicalHbaEntry)
    .filter((r) => r !== undefined);
  const list = record(config.postgresql).pg_hba;
  if (!Array.isArray(list)) {
    return result(
      'patroni',
      'patroni.config.hba',
      'cluster',
      'failed',
      'postgresql.pg_hba is not set in the dynamic configuration (Patroni keeps a pg_hba.conf it does not manage)',
      EDIT,
    );
  }
  const actual = list.map((e) => canonicalHbaEntry(String(e))).filter((r) => r !== undefined);
  const c = compareRuleLists(planned, actual);
  return c.equal
    ? result('patroni', 'patroni.config.hba', 'cluster', 'ok', `${c.actual} rules, as planned and in order`)
    : result(
        'patroni',
        'patroni.config.hba',
        'cluster',
        'failed',
        `${c.actual} rules, ${c.planned} planned: ${c.differences.join('; ')}`,
        EDIT,
      );
}

/** The three configuration results, or three failures naming why the configuration could not be read. */
export function evaluateDynamicConfig(
  topo: Topology,
  config: Record<string, unknown> | undefined,
  error?: string,
): CheckResult[] {
  if (config === undefined) {
    const why = `GET /config failed: ${error ?? 'no member answered'}`;
    return ['timings', 'ssl', 'hba'].map((k) =>
      result(
        'patroni',
        `patroni.config.${k}`,
        'cluster',
        'failed',
        why,
        'start Patroni on the backends (see patroni.api)',
      ),
    );
  }
  return [
    evaluateTimings(topo, config),
    evaluateSslParameters(topo, config),
    evaluateHbaConfig(topo, config),
  ];
}
