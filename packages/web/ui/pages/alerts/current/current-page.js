// @ts-check
// Alerts: current alerts grouped by level (high, medium, low), each linking
// to its page (configure, acknowledge), and the history of state changes,
// newest first (raised, changed, cleared).
import { AlertCounts } from '../../../components/badges.js';
import { StatusBar } from '../../../components/status-bar.js';
import { Table } from '../../../components/table.js';
import { getAlerts } from '../../../lib/api.js';
import { quantity, when } from '../../../lib/format.js';
import { html } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { href } from '../../../lib/route.js';
import { StateBadge } from '../alert-ui.js';

/** @typedef {import('../../../lib/api.js').AlertView} AlertView */
/** @typedef {import('../../../lib/api.js').AlertChange} AlertChange */

/**
 * What an alert is about: a link to its server, or its agent.
 * @param {Pick<AlertView, 'serverId' | 'serverName' | 'agentId' | 'agentName'>} a
 */
function target(a) {
  if (a.serverId !== null)
    return html`<a href=${href.server(a.serverId)}>${a.serverName ?? `server ${a.serverId}`}</a>`;
  if (a.agentId !== null) return `agent ${a.agentName ?? a.agentId}`;
  return '';
}

/** The state's name, "cleared" for none. @param {string} state */
const stateText = (state) => (state === 'none' ? 'cleared' : state);

/** @param {{ alerts: AlertView[] }} props */
function AlertRows({ alerts }) {
  return alerts.map(
    (a) => html`<tr key=${a.id} data-id=${a.id}>
      <td><${StateBadge} state=${a.state} text=${stateText(a.state)} /></td>
      <td>${a.template}</td>
      <td>${target(a)}</td>
      <td>${a.appliesTo}</td>
      <td>${when(a.changedAt)}</td>
      <td>${a.enabled ? '' : 'disabled'}</td>
      <td><a class="alert-details" href=${href.alert(a.id)}>Details</a></td>
    </tr>`,
  );
}

/** @param {{ changes: AlertChange[] }} props */
function ChangeRows({ changes }) {
  return changes.map(
    (c, i) => html`<tr key=${`${c.alertId}-${c.at}-${i}`}>
      <td>${when(c.at)}</td>
      <td>${c.template}</td>
      <td>${target(c)}</td>
      <td>${c.event}</td>
      <td>${c.oldState === null ? '' : html`<${StateBadge} state=${c.oldState} text=${stateText(c.oldState)} /> → `}
        <${StateBadge} state=${c.newState} text=${stateText(c.newState)} /></td>
      <td class="num">${quantity(c.value, c.unit)}</td>
    </tr>`,
  );
}

const HEAD = ['Level', 'Alert', 'On', 'Applies to', 'Since', '', ''];
const HISTORY_HEAD = ['At', 'Alert', 'On', 'Event', 'State', 'Value'];

/**
 * The Current tab.
 * @param {{ prefs: import('../../../lib/api.js').Preferences }} props
 */
export function CurrentPage({ prefs }) {
  const poll = usePoll(() => getAlerts(200), 'alerts', prefs.refreshIntervalS);
  const d = poll.data;
  return html`<section id="alerts-view">
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    ${
      d
        ? html`<h2>Current alerts <span class="count" id="alerts-counts"><${AlertCounts} counts=${d.counts} /></span></h2>
          ${
            d.current.length === 0
              ? html`<p class="muted" id="no-alerts">No alert is raised.</p>`
              : html`<${Table} id="current-alerts" head=${HEAD}><${AlertRows} alerts=${d.current} /></${Table}>`
          }
          <h2>History <span class="count">(${d.historySource === 'alert_history' ? 'state changes, newest first' : 'last change of each alert, newest first'})</span></h2>
          ${
            d.history.length === 0
              ? html`<p class="muted" id="no-history">No alert has changed state yet.</p>`
              : html`<${Table} id="alert-history" head=${HISTORY_HEAD}><${ChangeRows} changes=${d.history} /></${Table}>`
          }`
        : html`<p class="muted">Loading…</p>`
    }
  </section>`;
}
