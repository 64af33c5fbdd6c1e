// @ts-check
// The line above each page: when it was last updated and how often, and a
// banner while refreshes fail (e.g. "The backend is failing over; retrying…").
import { errorText } from '../lib/api.js';
import { html } from '../lib/html.js';

/**
 * Status of a polled page.
 * @param {{ poll: import('../lib/poll.js').Poll<unknown>, intervalS: number }} props `poll` as usePoll returned it
 */
export function StatusBar({ poll, intervalS }) {
  const every = intervalS > 0 ? ` · every ${intervalS} s` : ' · automatic refresh off';
  const updated = poll.updatedAt ? `Updated ${poll.updatedAt.toLocaleTimeString()}${every}` : 'Loading…';
  const banner = poll.error
    ? `${errorText(poll.error, { retrying: true })}${poll.updatedAt ? ` (data from ${poll.updatedAt.toLocaleTimeString()})` : ''}`
    : '';
  return html`<div class="status-bar">
    <span id="refresh-state" class="muted">${updated}</span>
    <span id="backend-state" class="banner" data-tone="warn" role="status" hidden=${!banner}>${banner}</span>
  </div>`;
}
