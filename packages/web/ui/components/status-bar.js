// The line above each page: when it was last updated and how often, and a
// banner while refreshes fail (e.g. "The backend is failing over; retrying…").
import { html } from '../lib/html.js';
import { failureText } from '../lib/poll.js';

/** Status of a polled page: `poll` is what usePoll returned, `intervalS` the refresh interval. */
export function StatusBar({ poll, intervalS }) {
  const every = intervalS > 0 ? ` · every ${intervalS} s` : ' · automatic refresh off';
  const updated = poll.updatedAt ? `Updated ${poll.updatedAt.toLocaleTimeString()}${every}` : 'Loading…';
  const banner = poll.error
    ? `${failureText(poll.error)}; retrying…${poll.updatedAt ? ` (data from ${poll.updatedAt.toLocaleTimeString()})` : ''}`
    : '';
  return html`<div class="status-bar">
    <span id="refresh-state" class="muted">${updated}</span>
    <span id="backend-state" class="banner" role="status" hidden=${!banner}>${banner}</span>
  </div>`;
}
