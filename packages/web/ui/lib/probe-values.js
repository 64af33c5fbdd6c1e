// @ts-check
// Reading the agents' probe values for display. The overview (GET
// /api/fleet) carries each probe's latest values cut to the columns it shows
// (contract/overview-fields.ts); each reader reads its columns by the names
// the probe declares (contract/probe-columns.ts), so the type check fails
// when a probe renames a column, and a value the probe did not read shows as
// nothing.
import { bytes, duration, num } from './format.js';

/** @typedef {import('./api.js').LatestByProbe} LatestByProbe */
/** @typedef {import('../contract/overview-fields.js').OverviewProbe} OverviewProbe */
/**
 * @template {OverviewProbe} P
 * @typedef {import('../contract/overview-fields.js').OverviewValue<P>} OverviewValue
 */
/**
 * The overview's latest value of probe `P` for one object.
 * @template {OverviewProbe} P
 * @typedef {import('../../dist/api/fleet-query.js').LatestValue<OverviewValue<P>>} Latest
 */

/**
 * The value of `probe`'s object '' (or its first object), or undefined.
 * @template {OverviewProbe} P
 * @param {LatestByProbe | undefined} latest
 * @param {P} probe
 * @returns {Latest<P> | undefined}
 */
export function latestOf(latest, probe) {
  const list = /** @type {Latest<P>[] | undefined} */ (latest?.[probe]);
  if (!list || list.length === 0) return undefined;
  return list.find((v) => v.object === '') ?? list[0];
}

/**
 * server_up -> true (up 1) / false (up 0) / undefined (no value).
 * @param {Latest<'server_up'> | undefined} v
 */
export function isUp(v) {
  const up = v?.value.up;
  return up === undefined ? undefined : up !== 0;
}

/**
 * server_up -> the error text recorded when down, or ''.
 * @param {Latest<'server_up'> | undefined} v
 */
export function downReason(v) {
  return v?.value.error ?? '';
}

/**
 * server_info -> 'primary' / 'standby' / ''.
 * @param {Latest<'server_info'> | undefined} v
 */
export function role(v) {
  return v?.value.role ?? '';
}

/**
 * server_info -> the PostgreSQL version ("15.8" of "15.8 (Debian 15.8-1)").
 * @param {Latest<'server_info'> | undefined} v
 */
export function version(v) {
  return v?.value.server_version?.split(' ')[0] ?? '';
}

/**
 * server_info -> uptime text: from the postmaster's start (`started_at`) to `now`.
 * @param {Latest<'server_info'> | undefined} v
 * @param {string} now ISO 8601: the backend's clock (the fleet's `asOf`), so a skewed browser clock does not matter
 */
export function uptime(v, now) {
  const start = Date.parse(v?.value.started_at ?? '');
  const at = Date.parse(now);
  if (Number.isNaN(start) || Number.isNaN(at)) return '';
  return duration(Math.max(0, (at - start) / 1000));
}

/**
 * connections_by_state (one object per state, column `connections`) ->
 * "active 2 · idle 5": states with connections only; "0" when none.
 * @param {LatestByProbe | undefined} latest
 */
export function connections(latest) {
  const list = latest?.connections_by_state;
  if (!list || list.length === 0) return '';
  const parts = list.filter((e) => (e.value.connections ?? 0) > 0);
  if (parts.length === 0) return '0';
  return parts.map((e) => `${e.object} ${e.value.connections}`).join(' · ');
}

/**
 * database_stats (one row summed over the server's databases): commits,
 * blocks hit and read; undefined when the probe has no value.
 * @param {LatestByProbe | undefined} latest
 * @returns {{ commits: number, hit: number, read: number } | undefined}
 */
export function databaseTotals(latest) {
  const list = latest?.database_stats;
  if (!list || list.length === 0) return undefined;
  const sum = (/** @type {'xact_commit' | 'blks_hit' | 'blks_read'} */ c) =>
    list.reduce((n, e) => n + (num(e.value[c]) ?? 0), 0);
  return { commits: sum('xact_commit'), hit: sum('blks_hit'), read: sum('blks_read') };
}

/**
 * Cache hit ratio text: the probe's hit_ratio_pct when it has one, else from the totals.
 * @param {{ hit: number, read: number } | undefined} t
 * @param {LatestByProbe | undefined} latest
 */
export function cacheHit(t, latest) {
  const ratio = latestOf(latest, 'database_stats')?.value.hit_ratio_pct;
  if (ratio !== undefined) return `${ratio.toFixed(1)} %`;
  if (!t || t.hit + t.read === 0) return '';
  return `${((100 * t.hit) / (t.hit + t.read)).toFixed(1)} %`;
}

/**
 * replication_lag (one object per standby or upstream) -> "standby1: 12.0
 * KiB / 0.3 s, upstream: broken"; '' when none (a primary without standbys).
 * @param {LatestByProbe | undefined} latest
 */
export function replicationLag(latest) {
  return replicationLagLines(latest).join(', ');
}

/**
 * replication_lag as one line per standby or upstream: "standby1: 12.0 KiB
 * / 0.3 s", "upstream: broken"; none for a primary without standbys.
 * @param {LatestByProbe | undefined} latest
 * @returns {string[]}
 */
export function replicationLagLines(latest) {
  const list = latest?.replication_lag;
  if (!list || list.length === 0) return [];
  return list.map(({ object, value: x }) => {
    const text = [
      x.lag_bytes !== undefined ? bytes(x.lag_bytes) : '',
      x.replay_lag_s !== undefined ? `${x.replay_lag_s.toFixed(1)} s` : '',
    ]
      .filter(Boolean)
      .join(' / ');
    const state = [text, x.broken ? 'broken' : ''].filter(Boolean).join(' ') || '-';
    return (object ? `${object}: ` : '') + state;
  });
}

/**
 * cpu -> "23 %" (busy_pct: not idle, not waiting for I/O).
 * @param {Latest<'cpu'> | undefined} v
 */
export function cpu(v) {
  const busy = v?.value.busy_pct;
  return busy === undefined ? '' : `${busy.toFixed(0)} %`;
}

/**
 * load_avg -> "0.10 0.20 0.30".
 * @param {Latest<'load_avg'> | undefined} v
 */
export function load(v) {
  if (!v) return '';
  const x = v.value;
  return [x.load1, x.load5, x.load15].map((n) => (n === undefined ? '-' : n.toFixed(2))).join(' ');
}

/**
 * memory -> "1.2 GiB of 7.7 GiB" (used_bytes, or total - available when the probe had no used).
 * @param {Latest<'memory'> | undefined} v
 */
export function memory(v) {
  const x = v?.value;
  const total = num(x?.total_bytes);
  const avail = num(x?.available_bytes);
  const used = num(x?.used_bytes) ?? (total !== undefined && avail !== undefined ? total - avail : undefined);
  return total !== undefined && used !== undefined ? `${bytes(used)} of ${bytes(total)}` : '';
}
