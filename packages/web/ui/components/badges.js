// @ts-check
// Badges: a short word on a coloured pill. The colour is a tone (the
// `data-tone` attribute, styles/tokens.css): ok, warn, bad, off or info,
// shared by every status the UI shows (agents, servers, cluster members,
// alert levels, deliveries, problems).
import { html } from '../lib/html.js';

/** @typedef {'ok' | 'warn' | 'bad' | 'off' | 'info'} Tone */
/** @typedef {'none' | 'low' | 'medium' | 'high'} AlertState */

/** The tone of each alert state: high is bad, medium a warning, low for information, none fine. */
export const STATE_TONE = /** @type {const} */ ({ high: 'bad', medium: 'warn', low: 'info', none: 'ok' });

/**
 * The tone of an alert state (off for a state this UI does not know).
 * @param {string} state
 * @returns {Tone}
 */
export function stateTone(state) {
  return STATE_TONE[/** @type {AlertState} */ (state)] ?? 'off';
}

/**
 * A badge: `text` in `tone`; `title` shows on hover.
 * @param {{ tone?: Tone, text: unknown, title?: string, class?: string }} props
 */
export function Badge({ tone, text, title, class: cls }) {
  return html`<span class=${cls ? `badge ${cls}` : 'badge'} data-tone=${tone} title=${title || undefined}>${text}</span>`;
}

/**
 * Current alert counts as badges ("2 high · 1 low"), or an em dash when none.
 * @param {{ counts: import('../lib/api.js').AlertCounts | undefined }} props
 */
export function AlertCounts({ counts }) {
  const levels = /** @type {const} */ (['high', 'medium', 'low']).filter((l) => (counts?.[l] ?? 0) > 0);
  if (!counts || levels.length === 0) return html`<span class="muted">—</span>`;
  return html`${levels.map((l) => html`<${Badge} key=${l} tone=${STATE_TONE[l]} text=${`${counts[l]} ${l}`} /> `)}`;
}
