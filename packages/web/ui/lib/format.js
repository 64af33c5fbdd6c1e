// Number formatting for chart axes and legends, by unit.
import * as v from './probe-values.js';

/** Short number: 1234 -> "1.23k", 0.5 -> "0.5". */
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

/** A value in `unit` ('bytes', 'bytes/s', '%', 's', '/s', 'count'). */
export function withUnit(n, unit) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '';
  switch (unit) {
    case 'bytes':
      return v.bytes(Math.round(n));
    case 'bytes/s':
      return `${v.bytes(Math.round(n))}/s`;
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
