// The time range selector of the charts (a user preference, saved in the backend).
import { html } from '../lib/html.js';

const RANGES = [
  ['15m', 'Last 15 minutes'],
  ['1h', 'Last hour'],
  ['6h', 'Last 6 hours'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
];

/** A select of the ranges; calls onChange(range) on a choice. */
export function RangePicker({ value, onChange }) {
  return html`<label>Range <select id="time-range" value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
    ${RANGES.map(([v, text]) => html`<option key=${v} value=${v}>${text}</option>`)}
  </select></label>`;
}
