// @ts-check
// Numbers, sizes, durations and times as text: the one place each is
// formatted (chart axes and legends, tables, alert pages).

/**
 * A number from a probe value: integers beyond 2^53 arrive as strings
 * (agent/src/probes/normalize.ts); anything else that is not a finite number
 * is undefined.
 * @param {unknown} x
 * @returns {number | undefined}
 */
export function num(x) {
  const n = typeof x === 'string' && x.trim() !== '' ? Number(x) : x;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/**
 * Short number: 1234 -> "1.23k", 0.5 -> "0.5"; '' for none.
 * @param {number | null | undefined} n
 */
export function short(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (a >= 100) return n.toFixed(0);
  if (a >= 1) return n.toFixed(2).replace(/\.?0+$/, '');
  return n.toPrecision(2).replace(/\.?0+$/, '');
}

/**
 * Bytes as "512 B", "3.2 MiB"...; '' for none.
 * @param {unknown} b a number (or a bigint's string)
 */
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

/**
 * A count with thousands separators; '' for none.
 * @param {unknown} x
 */
export function count(x) {
  const n = num(x);
  return n === undefined ? '' : n.toLocaleString('en-US');
}

/** @typedef {'bytes' | 'bytes/s' | '%' | 's' | '/s' | 'count'} ChartUnit */

/**
 * A value in a chart's unit; '' for none.
 * @param {number | null | undefined} n
 * @param {ChartUnit | string} unit
 */
export function withUnit(n, unit) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '';
  switch (unit) {
    case 'bytes':
      return bytes(Math.round(n));
    case 'bytes/s':
      return `${bytes(Math.round(n))}/s`;
    case '%':
      return `${short(n)} %`;
    case 's':
      return `${short(n)} s`;
    case '/s':
      return `${short(n)}/s`;
    default:
      return short(n);
  }
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

/**
 * A duration in seconds as text; '' for none.
 *
 * - approximate (the default, for ages and uptimes): "42 s" under 90 s, then
 *   "5 min", "3 h 20 min", "2 d 4 h";
 * - `exact` (for configured intervals, which are whole units): the largest
 *   unit that divides it, "30 s", "5 min", "2 h", "1 d"; 0 is "0".
 * @param {unknown} s seconds
 * @param {{ exact?: boolean }} [how]
 */
export function duration(s, how = {}) {
  const n = num(s);
  if (n === undefined) return '';
  if (how.exact) {
    if (n === 0) return '0';
    if (n % DAY === 0) return `${n / DAY} d`;
    if (n % HOUR === 0) return `${n / HOUR} h`;
    if (n % MINUTE === 0) return `${n / MINUTE} min`;
    return `${n} s`;
  }
  if (n < 90) return `${Math.round(n)} s`;
  if (n < HOUR) return `${Math.round(n / MINUTE)} min`;
  if (n < DAY) return `${Math.floor(n / HOUR)} h ${Math.round((n % HOUR) / MINUTE)} min`;
  return `${Math.floor(n / DAY)} d ${Math.round((n % DAY) / HOUR)} h`;
}

/**
 * A timestamp as local date and time, '' for none.
 * @param {string | null | undefined} ts ISO 8601
 */
export function when(ts) {
  return ts ? new Date(ts).toLocaleString() : '';
}
