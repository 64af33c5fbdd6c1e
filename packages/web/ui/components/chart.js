// @ts-check
// One time-series chart drawn by uPlot (canvas; stays fluid with thousands
// of points). The plot is created once and fed new data on each refresh;
// when the user has zoomed in (drag to select), refreshes keep the zoom
// (double-click resets it). The container carries data-points (how many
// non-empty points the chart holds) for tests and for the "no data" note.

import uPlot from '/ui/vendor/uplot.js';
import { axisValues, withUnit } from '../lib/format.js';
import { html, useEffect, useRef, useState } from '../lib/html.js';

const COLORS = [
  '#0b5cad',
  '#d1495b',
  '#2a9d8f',
  '#e9a23b',
  '#6a4c93',
  '#8ab17d',
  '#577590',
  '#f3722c',
  '#43aa8b',
  '#90be6d',
];
const HEIGHT = 220;

/** One line of a chart: its legend label and a value per time of `t` (null: no data). @typedef {{ label: string, values: (number | null)[] }} Line */

/** @param {string} name @param {string} fallback */
function cssVar(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/**
 * The shortest run of missing points, in seconds, that `values` (over `t`)
 * shows as a gap: three times the usual spacing of its points. Buckets narrower
 * than the probe's interval leave every other bucket empty; those are no gap.
 * @param {readonly number[]} t seconds since the epoch
 * @param {readonly (number | null | undefined)[]} values
 */
export function gapThresholdS(t, values) {
  /** @type {number[]} */
  const steps = [];
  let prev;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) continue;
    if (prev !== undefined) steps.push(/** @type {number} */ (t[i]) - /** @type {number} */ (t[prev]));
    prev = i;
  }
  if (steps.length === 0) return Number.POSITIVE_INFINITY;
  steps.sort((a, b) => a - b);
  return 3 * /** @type {number} */ (steps[Math.floor(steps.length / 2)]);
}

/**
 * @param {Line[]} lines
 * @param {string} unit
 * @param {number} width
 * @param {{ current: number[] }} thresholds gap thresholds per line (updated on each refresh)
 * @returns {uPlot.Options}
 */
function options(lines, unit, width, thresholds) {
  const fg = cssVar('--muted', '#6b7382');
  const grid = cssVar('--line', '#dde1e7');
  const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    // the colour the grid is drawn in (on the canvas) is also the root's data-grid, for tests
    hooks: { init: [(/** @type {uPlot} */ u) => (u.root.dataset.grid = grid)] },
    width,
    height: HEIGHT,
    scales: { x: { time: true }, y: { range: (_u, min, max) => yRange(min, max, unit) } },
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
    series: [
      { value: (_u, t) => (t === null ? '' : new Date(t * 1000).toLocaleString()) },
      ...lines.map((l, i) => ({
        label: l.label,
        // the first line in the theme's accent (#0b5cad light, #58a6ff dark: the light blue is too dark on a dark card)
        stroke: i === 0 ? cssVar('--accent', COLORS[0]) : COLORS[i % COLORS.length],
        width: 1.5,
        spanGaps: false,
        // Keep only the gaps longer than the series' threshold (see gapThresholdS).
        /** @type {uPlot.Series.GapsRefiner} */
        gaps: (u, sidx, _i0, _i1, nullGaps) => {
          const th = thresholds.current[sidx - 1] ?? Number.POSITIVE_INFINITY;
          const x0 = u.scales.x.min ?? 0;
          const px = Math.abs(u.valToPos(x0 + th, 'x', true) - u.valToPos(x0, 'x', true));
          return nullGaps.filter(([a, b]) => b - a > px);
        },
        points: { show: false },
        value: (/** @type {uPlot} */ _u, /** @type {number | null} */ x) => withUnit(x, unit),
      })),
    ],
    axes: [
      axis,
      {
        ...axis,
        size: 86,
        // the labels drawn (on the canvas) are also the root's data-y-ticks, for people's tools and tests
        values: (/** @type {uPlot} */ u, /** @type {number[]} */ ticks) => {
          const labels = axisValues(ticks, unit);
          u.root.dataset.yTicks = labels.join('|');
          return labels;
        },
      },
    ],
  };
}

/**
 * The y axis's range for values between `min` and `max` in `unit`: uPlot's
 * own rounding (a "nice" range with some room), except that a percentage
 * whose values all lie in 0-100 % is drawn on 0-100 % (or less), not on an
 * axis that runs to 150 % a ratio can never reach.
 * @param {number | null} min
 * @param {number | null} max
 * @param {string} unit
 * @returns {uPlot.Range.MinMax}
 */
export function yRange(min, max, unit) {
  if (min === null || max === null) return [0, 1];
  const [lo, hi] = uPlot.rangeNum(min, max, 0.1, true);
  if ((unit === '%' || unit === 'percent') && min >= 0 && max <= 100)
    return [Math.max(0, /** @type {number} */ (lo)), Math.min(100, /** @type {number} */ (hi))];
  return [lo, hi];
}

/**
 * A number that changes whenever the page's colours may have: the user's
 * theme (the root's data-theme) or, under the "system" theme, the system's
 * dark/light preference. uPlot draws on a canvas with the colours it was
 * given, so a chart is built again when this changes.
 */
function useThemeVersion() {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    const media = matchMedia('(prefers-color-scheme: dark)');
    media.addEventListener('change', bump);
    const mo = new MutationObserver(bump);
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      media.removeEventListener('change', bump);
      mo.disconnect();
    };
  }, []);
  return version;
}

/**
 * Counts the non-null values of every line.
 * @param {readonly Line[]} lines
 */
export function pointCount(lines) {
  let n = 0;
  for (const l of lines) for (const x of l.values) if (x !== null && x !== undefined) n++;
  return n;
}

/**
 * A chart of `lines` over `t` (seconds since the epoch), values formatted in `unit`.
 * @param {{ id: string, t: number[], lines: Line[], unit: string }} props
 */
export function TimeChart({ id, t, lines, unit }) {
  /** @type {{ current: HTMLDivElement | null }} */
  const box = useRef(null);
  /** @type {{ current: uPlot | null }} */
  const plot = useRef(null);
  const zoomed = useRef(false);
  const shape = useRef('');
  /** @type {{ current: number[] }} */
  const thresholds = useRef([]);
  const theme = useThemeVersion();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const data = [t, ...lines.map((l) => l.values)];
    thresholds.current = lines.map((l) => gapThresholdS(t, l.values));
    const key = `${theme}|${unit}|${lines.map((l) => l.label).join('\u0000')}`;
    if (!plot.current || shape.current !== key) {
      plot.current?.destroy();
      zoomed.current = false;
      shape.current = key;
      const opts = options(lines, unit, Math.max(200, el.clientWidth), thresholds);
      opts.hooks = { ...opts.hooks, setSelect: [() => (zoomed.current = true)] };
      plot.current = new uPlot(opts, /** @type {uPlot.AlignedData} */ (data), el);
      el.addEventListener('dblclick', () => (zoomed.current = false));
    } else {
      plot.current.setData(/** @type {uPlot.AlignedData} */ (data), !zoomed.current);
    }
  }, [t, lines, unit, theme]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      if (plot.current && el.clientWidth > 0)
        plot.current.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  return html`<div class="plot" ref=${box} data-chart-plot=${id}></div>`;
}
