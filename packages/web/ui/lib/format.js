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

/** @typedef {'bytes' | 'bytes/s' | '%' | 's' | '/s' | '/min' | 'count'} ChartUnit */

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
    case '/min':
      return `${short(n)}/min`;
    default:
      return short(n);
  }
}

/** Scales of an axis: bytes in powers of 1024, other units in powers of 1000. */
const BYTE_SCALES = /** @type {const} */ ([
  [1024 ** 4, 'TiB'],
  [1024 ** 3, 'GiB'],
  [1024 ** 2, 'MiB'],
  [1024, 'KiB'],
  [1, 'B'],
]);
const SI_SCALES = /** @type {const} */ ([
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
  [1, ''],
]);

/**
 * The labels of a chart axis's ticks in `unit`: one scale for every tick
 * (the largest tick's: "7.19 MiB", "7.21 MiB"), with the fewest decimals
 * that keep every label distinct (an axis never repeats a label: review
 * B10), trailing zeros dropped.
 * @param {readonly number[]} ticks
 * @param {ChartUnit | string} unit
 * @returns {string[]}
 */
export function axisValues(ticks, unit) {
  const isBytes = unit === 'bytes' || unit === 'bytes/s';
  const scales = isBytes ? BYTE_SCALES : SI_SCALES;
  const max = Math.max(0, ...ticks.filter(Number.isFinite).map(Math.abs));
  const [div, suffix] = scales.find(([d]) => max >= d) ?? scales[scales.length - 1] ?? [1, ''];
  /** @param {string} n */
  const decorate = (n) => {
    switch (unit) {
      case 'bytes':
        return `${n} ${suffix}`;
      case 'bytes/s':
        return `${n} ${suffix}/s`;
      case '%':
        return `${n}${suffix} %`;
      case 's':
        return `${n}${suffix} s`;
      case '/s':
        return `${n}${suffix}/s`;
      case '/min':
        return `${n}${suffix}/min`;
      default:
        return `${n}${suffix}`;
    }
  };
  /** @type {string[]} */
  let labels = [];
  for (let decimals = 0; decimals <= 6; decimals++) {
    labels = ticks.map((x) => (Number.isFinite(x) ? String(Number((x / div).toFixed(decimals))) : ''));
    if (new Set(labels).size === labels.length) break;
  }
  return labels.map((l) => (l === '' ? '' : decorate(l)));
}

/** Three significant digits, whole numbers from 100 up: 0.988, 12.3, 88.2, 1235. @param {number} n */
function sig3(n) {
  return Math.abs(n) >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(3)));
}

/** Bytes with at most one decimal, none when whole: "16 MiB", "1.5 GiB". @param {number} n */
function bytesTrim(n) {
  return bytes(n).replace(/\.0 /, ' ');
}

/** The units {@link quantity} formats itself; any other unit is a word written after the number ("5 transactions"). */
export const FORMATTED_UNITS = new Set([
  'bytes',
  'bytes/s',
  'percent',
  '%',
  's',
  'ms',
  '/s',
  'boolean',
  'count',
  '',
]);

/**
 * Thresholds "a / b / c" in `unit`: each formatted by {@link quantity}, or, for a
 * unit that is a word, the numbers followed by the word once
 * ("500,000,000 / 1,000,000,000 / 1,500,000,000 transactions").
 * @param {readonly (number | null | undefined)[]} xs
 * @param {string} unit
 */
export function thresholdList(xs, unit) {
  const word = !FORMATTED_UNITS.has(unit);
  const one = (/** @type {number | null | undefined} */ x) =>
    (word ? quantity(x, '') : quantity(x, unit)) || String(x);
  return `${xs.map(one).join(' / ')}${word ? ` ${unit}` : ''}`;
}

/**
 * A value in the unit an alert template or a probe column declares, for
 * tables and alert pages: bytes as sizes, seconds as durations from 90 s
 * up, milliseconds, percentages, booleans as yes/no, counts with thousands
 * separators, any other unit as a word after the number ("3 files");
 * three significant digits at most (never 16 decimals: review C6). '' for none.
 * @param {unknown} x a number (or a bigint's string)
 * @param {string} unit e.g. bytes, bytes/s, s, ms, percent, count, boolean, transactions
 * @returns {string}
 */
export function quantity(x, unit) {
  const n = num(x);
  if (n === undefined) return '';
  const plain = Number.isInteger(n) ? count(n) : sig3(n);
  switch (unit) {
    case 'bytes':
      return bytesTrim(n);
    case 'bytes/s':
      return `${bytesTrim(n)}/s`;
    case 'percent':
    case '%':
      return `${sig3(n)} %`;
    case 's':
      return Math.abs(n) >= 90 ? duration(n) : `${sig3(n)} s`;
    case 'ms':
      return Math.abs(n) >= 1000 ? quantity(n / 1000, 's') : `${sig3(n)} ms`;
    case '/s':
      return `${sig3(n)}/s`;
    case 'boolean':
      return n ? 'yes' : 'no';
    case 'count':
    case '':
      return plain;
    default:
      return `${plain} ${unit}`;
  }
}

/**
 * `text` with every number of more than three decimals shortened to three
 * significant digits ("DCS last seen 0.9879999160766602 s ago" -> "… 0.988
 * s ago"): alert details are text written by template SQL.
 * @param {string} text
 */
export function tidyNumbers(text) {
  return text.replace(/-?\d+\.\d{4,}/g, (m) => sig3(Number(m)));
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
