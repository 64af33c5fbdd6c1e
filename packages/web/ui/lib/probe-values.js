// Reading the agents' probe values for display. The API passes each probe's
// latest jsonb value through unchanged (grouped by probe name), so these
// readers accept the plausible shapes and fall back to compact JSON.

/** The value of `probe`'s object '' (or its first object), or undefined. */
export function latestOf(latest, probe) {
  const list = latest?.[probe];
  if (!list || list.length === 0) return undefined;
  return list.find((v) => v.object === '') ?? list[0];
}

function pick(obj, ...keys) {
  if (obj === null || typeof obj !== 'object') return undefined;
  for (const k of keys) if (obj[k] !== undefined && obj[k] !== null) return obj[k];
  return undefined;
}

function num(x) {
  const n = typeof x === 'string' ? Number(x) : x;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Compact JSON for values of an unknown shape (truncated). */
export function compact(value) {
  const s = JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Seconds as "42 s", "5 min", "3 h 20 min", "2 d 4 h". */
export function duration(s) {
  const n = num(s);
  if (n === undefined) return '';
  if (n < 90) return `${Math.round(n)} s`;
  if (n < 3600) return `${Math.round(n / 60)} min`;
  if (n < 86400) return `${Math.floor(n / 3600)} h ${Math.round((n % 3600) / 60)} min`;
  return `${Math.floor(n / 86400)} d ${Math.round((n % 86400) / 3600)} h`;
}

/** Bytes as "512 B", "3.2 MiB"... */
export function bytes(b) {
  let n = num(b);
  if (n === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/** A count with thousands separators. */
export function count(x) {
  const n = num(x);
  return n === undefined ? '' : n.toLocaleString('en-US');
}

/** server_up -> true / false / undefined. */
export function isUp(v) {
  if (v === undefined) return undefined;
  const x = v.value;
  if (typeof x === 'boolean') return x;
  if (typeof x === 'number') return x !== 0;
  const f = pick(x, 'up', 'is_up', 'server_up', 'reachable', 'ok');
  if (f === undefined) return undefined;
  return f === true || f === 1 || f === 't' || f === 'true';
}

/** server_info -> 'primary' / 'standby' / ''. */
export function role(v) {
  const x = v?.value;
  const r = pick(x, 'role');
  if (typeof r === 'string') return r === 'replica' ? 'standby' : r;
  const rec = pick(x, 'in_recovery', 'is_in_recovery', 'pg_is_in_recovery', 'recovery');
  if (rec === undefined) return '';
  return rec === true || rec === 't' ? 'standby' : 'primary';
}

/** server_info -> PostgreSQL version ("15.8"). */
export function version(v) {
  const x = v?.value;
  const s = pick(x, 'server_version', 'version');
  return typeof s === 'string' ? (s.replace(/^PostgreSQL /, '').split(' ')[0] ?? '') : '';
}

/** server_up -> the error text recorded when down, or ''. */
export function downReason(v) {
  const e = pick(v?.value, 'error');
  return typeof e === 'string' ? e : '';
}

/** server_info -> uptime text. */
export function uptime(v) {
  const x = v?.value;
  const s = num(pick(x, 'uptime_s', 'uptime_seconds', 'uptime'));
  if (s !== undefined) return duration(s);
  const start = pick(x, 'start_time', 'postmaster_start_time', 'started_at');
  if (typeof start === 'string' && !Number.isNaN(Date.parse(start)))
    return duration((Date.now() - Date.parse(start)) / 1000);
  return '';
}

/**
 * connections_by_state -> "active 2 · idle 5" (states with connections only;
 * "0" when none). The agent writes one object per state with a `connections`
 * column; one object {state: n} is accepted too.
 */
export function connections(latest) {
  const list = latest?.connections_by_state;
  if (!list || list.length === 0) return '';
  const byState = {};
  for (const entry of list) {
    const x = entry.value;
    const n = typeof x === 'number' ? x : num(pick(x, 'connections', 'count', 'n'));
    if (entry.object !== '' && n !== undefined) {
      byState[entry.object] = n;
    } else if (x && typeof x === 'object' && !Array.isArray(x)) {
      for (const [k, c] of Object.entries(pick(x, 'states', 'by_state') ?? x))
        if (num(c) !== undefined) byState[k] = num(c);
    }
  }
  const all = Object.entries(byState);
  if (all.length === 0) return compact(list[0].value);
  const parts = all.filter(([, n]) => n > 0);
  if (parts.length === 0) return '0';
  return parts.map(([k, n]) => `${k} ${n}`).join(' · ');
}

/** database_stats summed over its objects (databases): commits, blocks hit and read. */
export function databaseTotals(latest) {
  const list = latest?.database_stats;
  if (!list || list.length === 0) return undefined;
  let commits = 0;
  let hit = 0;
  let read = 0;
  let any = false;
  for (const entry of list) {
    const x = entry.value;
    const c = num(pick(x, 'xact_commit', 'xact_commits', 'commits'));
    const h = num(pick(x, 'blks_hit', 'blocks_hit'));
    const r = num(pick(x, 'blks_read', 'blocks_read'));
    if (c !== undefined) commits += c;
    if (h !== undefined) hit += h;
    if (r !== undefined) read += r;
    any ||= c !== undefined || h !== undefined || r !== undefined;
  }
  return any ? { commits, hit, read } : undefined;
}

/** Cache hit ratio text: the probe's hit_ratio_pct when it has one, else from the totals. */
export function cacheHit(t, latest) {
  const ratio = num(pick(latestOf(latest, 'database_stats')?.value, 'hit_ratio_pct'));
  if (ratio !== undefined) return `${ratio.toFixed(1)} %`;
  if (!t || t.hit + t.read === 0) return '';
  return `${((100 * t.hit) / (t.hit + t.read)).toFixed(1)} %`;
}

/** replication_lag -> "12.0 KiB / 0.3 s" ('' when none, e.g. on a primary). */
export function replicationLag(latest) {
  const list = latest?.replication_lag;
  if (!list || list.length === 0) return '';
  const parts = [];
  for (const entry of list) {
    const x = entry.value;
    if (typeof x === 'number') {
      parts.push(bytes(x));
      continue;
    }
    const b = pick(x, 'lag_bytes', 'replay_lag_bytes', 'bytes');
    const s = pick(x, 'replay_lag_s', 'lag_s', 'lag_seconds', 'seconds');
    const text = [
      b !== undefined && b !== null ? bytes(b) : '',
      s !== undefined && s !== null ? `${num(s)?.toFixed(1)} s` : '',
    ]
      .filter(Boolean)
      .join(' / ');
    const broken = pick(x, 'broken') === true ? 'broken' : '';
    parts.push((entry.object ? `${entry.object}: ` : '') + ([text, broken].filter(Boolean).join(' ') || '-'));
  }
  return parts.join(', ');
}

/** cpu -> "23 %". */
export function cpu(v) {
  const x = v?.value;
  if (typeof x === 'number') return `${x.toFixed(0)} %`;
  const busy = num(pick(x, 'busy_pct', 'usage_pct', 'used_pct', 'utilization_pct', 'percent', 'busy'));
  if (busy !== undefined) return `${busy.toFixed(0)} %`;
  const idle = num(pick(x, 'idle_pct'));
  if (idle !== undefined) return `${(100 - idle).toFixed(0)} %`;
  return x === undefined ? '' : compact(x);
}

/** load_avg -> "0.10 0.20 0.30". */
export function load(v) {
  const x = v?.value;
  if (Array.isArray(x)) return x.map((n) => num(n)?.toFixed(2)).join(' ');
  const l1 = num(pick(x, 'load1', 'load_1', '1m', 'one'));
  const l5 = num(pick(x, 'load5', 'load_5', '5m', 'five'));
  const l15 = num(pick(x, 'load15', 'load_15', '15m', 'fifteen'));
  if (l1 !== undefined) return [l1, l5, l15].map((n) => (n === undefined ? '-' : n.toFixed(2))).join(' ');
  return x === undefined ? '' : compact(x);
}

/** memory -> "1.2 GiB of 7.7 GiB". */
export function memory(v) {
  const x = v?.value;
  const total = num(pick(x, 'total_bytes', 'mem_total_bytes', 'total'));
  let used = num(pick(x, 'used_bytes', 'mem_used_bytes', 'used'));
  const avail = num(pick(x, 'available_bytes', 'mem_available_bytes', 'available'));
  if (used === undefined && total !== undefined && avail !== undefined) used = total - avail;
  if (total !== undefined && used !== undefined) return `${bytes(used)} of ${bytes(total)}`;
  return x === undefined ? '' : compact(x);
}
