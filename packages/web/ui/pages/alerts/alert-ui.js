// @ts-check
// Small pieces the alert pages share: state badges, what an alert is about,
// thresholds and values as text, the note read-only users see, and what a
// 403 adds (only administrators may change things).
import { Badge, stateTone } from '../../components/badges.js';
import { quantity, thresholdList, tidyNumbers } from '../../lib/format.js';
import { html } from '../../lib/html.js';
import { href } from '../../lib/route.js';

/** @typedef {import('../../lib/alert-admin-api.js').AlertConfig} AlertConfig */

/** Who may change alerts and notifications: added to the words of a 403 (lib/api.js errorText). */
export const ADMINS_ONLY = 'Only members of pem_admin may change alerts and notifications.';

/**
 * Badge of an alert state (none, low, medium, high); `text` replaces the state's name.
 * @param {{ state: string, text?: string }} props
 */
export function StateBadge({ state, text }) {
  return html`<${Badge} tone=${stateTone(state)} text=${text ?? state} />`;
}

/**
 * Link to the server an alert is bound to, or the agent's name.
 * @param {{ alert: { server_id: number | null, server_name: string | null, agent_id: number | null, agent_name: string | null } }} props
 */
export function AlertTarget({ alert: a }) {
  if (a.server_id !== null && a.server_id !== undefined)
    return html`<a href=${href.server(a.server_id)}>${a.server_name ?? `server ${a.server_id}`}</a>`;
  return `agent ${a.agent_name ?? a.agent_id}`;
}

/**
 * "> 80 % / 90 % / 95 %", "> 16 MiB / 64 MiB / 256 MiB", "> 5 / 10 / 20
 * transactions": operator and Low/Medium/High thresholds in the template's
 * unit (a unit that is a word written once: lib/format.js thresholdList).
 * @param {AlertConfig} a
 */
export function thresholdsText(a) {
  return `${a.operator} ${thresholdList([a.low, a.medium, a.high], a.unit ?? '')}`;
}

/**
 * The alert's last value in its template's unit, or '' when there is none.
 * @param {AlertConfig} a
 */
export function valueText(a) {
  if (a.last_value === null || a.last_value === undefined) return '';
  return quantity(a.last_value, a.unit ?? '') || String(a.last_value);
}

/**
 * The detail the template wrote with the last value (long decimals shortened), or ''.
 * @param {AlertConfig} a
 */
export function detailText(a) {
  return a.last_detail ? tidyNumbers(a.last_detail) : '';
}

/**
 * The note read-only users see instead of edit controls.
 * @param {{ canEdit: boolean }} props
 */
export function ReadOnlyNote({ canEdit }) {
  return canEdit
    ? ''
    : html`<p class="muted read-only" id="read-only-note">Read only: only members of pem_admin may change alerts and notifications.</p>`;
}
