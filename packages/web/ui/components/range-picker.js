// @ts-check
// The time range selector of the charts (a user preference, saved in the
// backend); the ranges are the contract's, the ones the API accepts.
import { TIME_RANGE_IDS, TIME_RANGES } from '../contract/time-ranges.js';
import { html } from '../lib/html.js';

/** @typedef {import('../contract/time-ranges.js').TimeRangeId} TimeRangeId */

/**
 * A select of the ranges; calls onChange(range) on a choice.
 * @param {{ value: TimeRangeId, onChange: (range: TimeRangeId) => void }} props
 */
export function RangePicker({ value, onChange }) {
  /** @param {Event} e */
  const change = (e) =>
    onChange(/** @type {TimeRangeId} */ (/** @type {HTMLSelectElement} */ (e.currentTarget).value));
  return html`<label>Range <select id="time-range" value=${value} onChange=${change}>
    ${TIME_RANGE_IDS.map((id) => html`<option key=${id} value=${id}>${TIME_RANGES[id].label}</option>`)}
  </select></label>`;
}
