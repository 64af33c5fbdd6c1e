// @ts-check
// Charts of the custom probes (docs/custom-probes.md) a server has data for:
// one chart of a probe's number columns that are gauges and one of those
// that are counters (as their rate), a line per object and column, from the
// same series API as the built-in charts (GET /api/servers/:id/series).
import { getSeries } from '../../lib/api.js';
import { listProbes } from '../../lib/probes-api.js';

/** @typedef {import('../../lib/api.js').SeriesAnswer} SeriesAnswer */
/** @typedef {import('../../components/chart.js').Line} Line */
/**
 * A loaded custom chart.
 * @typedef {{ id: string, title: string, unit: string, probe: string, answer: SeriesAnswer, lines: Line[] }} CustomChart
 */

const NUMBER_TYPES = new Set(['integer', 'bigint', 'double']);
/** Chart units of column units (lib/format.js ChartUnit); others are plain numbers. */
const CHART_UNITS = /** @type {Record<string, string>} */ ({
  bytes: 'bytes',
  percent: '%',
  s: 's',
  count: 'count',
  'bytes/s': 'bytes/s',
});
/** Most fields one series request takes (the API's limit). */
const MAX_FIELDS = 8;

/**
 * The custom probes' charts of server `id` for the probes in `present`.
 * @param {number} id
 * @param {Set<string>} present probes with data for the server
 * @param {{ from: string, to: string, points: number }} range
 * @returns {Promise<CustomChart[]>}
 */
export async function loadCustomCharts(id, present, range) {
  const probes = (await listProbes(true)).filter((p) => present.has(p.name));
  /** @type {Promise<CustomChart | undefined>[]} */
  const charts = [];
  for (const p of probes) {
    for (const mode of /** @type {const} */ (['gauge', 'rate'])) {
      const cols = p.columns.filter(
        (c) =>
          NUMBER_TYPES.has(c.type) && Boolean(c.counter) === (mode === 'rate') && c.name !== p.objectColumn,
      );
      if (cols.length === 0) continue;
      const fields = cols.slice(0, MAX_FIELDS).map((c) => c.name);
      const units = new Set(cols.map((c) => c.unit));
      const unit = units.size === 1 ? (CHART_UNITS[[...units][0] ?? ''] ?? '') : '';
      charts.push(
        getSeries(id, { probe: p.name, fields, mode, ...range }).then((answer) => ({
          id: `${p.name}-${mode}`,
          title: `${p.name}${mode === 'rate' ? ' (per second)' : ''}`,
          unit: mode === 'rate' && unit === 'count' ? '/s' : unit,
          probe: p.name,
          answer,
          lines: answer.series.map((s) => ({
            label: s.object ? (fields.length > 1 ? `${s.object} ${s.field}` : s.object) : s.field,
            values: s.values,
          })),
        })),
      );
    }
  }
  return (await Promise.all(charts)).filter((c) => c !== undefined);
}
