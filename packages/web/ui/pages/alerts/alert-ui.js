// Small pieces the alert administration pages share: state badges, what an
// alert is about, thresholds and times as text, and the words for an API
// error (a 403 says plainly that only administrators may change things).
import { ApiError } from '../../lib/api.js';
import { withUnit } from '../../lib/format.js';
import { html } from '../../lib/html.js';

/** Badge of an alert state (none, low, medium, high). */
export function StateBadge({ state }) {
  return html`<span class=${`badge alert-${state}`}>${state}</span>`;
}

/** Link or name of what an alert (a row of pem.alert_overview) is bound to. */
export function AlertTarget({ alert: a }) {
  if (a.server_id !== null && a.server_id !== undefined)
    return html`<a href=${`#/server/${a.server_id}`}>${a.server_name ?? `server ${a.server_id}`}</a>`;
  return `agent ${a.agent_name ?? a.agent_id}`;
}

/** "> 80 / 90 / 95": operator and Low/Medium/High thresholds. */
export function thresholdsText(a) {
  return `${a.operator} ${a.low} / ${a.medium} / ${a.high}`;
}

/** The alert's last value with its template's unit and detail, or '' when there is none. */
export function valueText(a) {
  if (a.last_value === null || a.last_value === undefined) return '';
  const v = withUnit(a.last_value, a.unit) || String(a.last_value);
  return a.last_detail ? `${v} (${a.last_detail})` : v;
}

/** A timestamp as local date and time, '' for none. */
export function when(ts) {
  return ts ? new Date(ts).toLocaleString() : '';
}

/** A duration in seconds as "30 s", "5 min", "2 h", "1 d". */
export function seconds(s) {
  if (s === null || s === undefined) return '';
  if (s === 0) return '0';
  if (s % 86400 === 0) return `${s / 86400} d`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

/** What went wrong with a request, in words for the user (403: administrators only). */
export function errorText(err) {
  if (err instanceof ApiError) {
    if (err.status === 403)
      return `Not allowed: ${err.message}. Only members of pem_admin may change alerts and notifications.`;
    if (err.status === 503) return 'The backend is failing over; try again in a few seconds.';
    if (err.status === 0) return 'This web instance does not answer.';
  }
  return err?.message ?? String(err);
}

/** The note read-only users see instead of edit controls. */
export function ReadOnlyNote({ canEdit }) {
  return canEdit
    ? ''
    : html`<p class="muted read-only" id="read-only-note">Read only: only members of pem_admin may change alerts and notifications.</p>`;
}
