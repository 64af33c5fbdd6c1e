// @ts-check
// Maintenance windows in words, for the overview, the server page and the
// maintenance page: "in maintenance until <time> (alice: kernel update)".
import { Badge } from '../../components/badges.js';
import { when } from '../../lib/format.js';
import { html } from '../../lib/html.js';

/** @typedef {import('../../lib/maintenance-api.js').MaintenanceNow} MaintenanceNow */
/** @typedef {import('../../lib/maintenance-api.js').MaintenanceWindow} MaintenanceWindow */

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * "set by alice: kernel update, until 08/12/2026 02:00".
 * @param {MaintenanceNow} m
 */
export function maintenanceText(m) {
  return `set by ${m.setBy}: ${m.reason}${m.until ? `, until ${when(m.until)}` : ''}`;
}

/**
 * The "in maintenance" badge, who/why/until as its title and text after it.
 * @param {{ m: MaintenanceNow | null | undefined, long?: boolean }} props
 */
export function MaintenanceBadge({ m, long }) {
  if (!m) return '';
  return html`<span class="maintenance" data-window=${m.windowId}
    ><${Badge} tone="info" text="in maintenance" title=${maintenanceText(m)} />${long ? html` <span class="maintenance-text">${maintenanceText(m)}</span>` : ''}</span>`;
}

/**
 * A window's schedule: "08/12 22:00 – 09/12 02:00" or "Sun 02:00 Europe/Paris, 3 h".
 * @param {MaintenanceWindow} w
 */
export function scheduleText(w) {
  if (w.schedule === 'weekly') {
    const days =
      (w.weekdays ?? []).length === 7 ? 'daily' : (w.weekdays ?? []).map((d) => DAYS[d - 1]).join(', ');
    const h = (w.durationS ?? 0) / 3600;
    const len = h >= 1 ? `${Math.round(h * 100) / 100} h` : `${(w.durationS ?? 0) / 60} min`;
    return `${days} ${w.startTime} ${w.timeZone}, ${len}${w.endsAt ? ` (until ${when(w.endsAt)})` : ''}`;
  }
  return `${when(w.startsAt)} – ${when(w.endsAt)}`;
}

/**
 * "active until …", "next …", "stopped … by …", "over".
 * @param {MaintenanceWindow} w
 */
export function statusText(w) {
  if (w.status === 'active' && w.occurrence) return `active until ${when(w.occurrence.endsAt)}`;
  if (w.status === 'scheduled' && w.occurrence) return `next ${when(w.occurrence.startsAt)}`;
  if (w.status === 'stopped') return `stopped ${when(w.stoppedAt)} by ${w.stoppedBy}`;
  return w.status;
}
