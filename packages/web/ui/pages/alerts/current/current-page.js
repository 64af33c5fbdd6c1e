// Alerts: current alerts grouped by level (high, medium, low), each linking
// to its page (configure, acknowledge), and the history of state changes,
// newest first (raised, changed, cleared).

import { StatusBar } from '../../../components/status-bar.js';
import { getAlerts } from '../../../lib/api.js';
import { html } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { AlertCounts } from '../../overview/fleet-tables.js';

function target(a) {
  if (a.serverId !== null)
    return html`<a href=${`#/server/${a.serverId}`}>${a.serverName ?? `server ${a.serverId}`}</a>`;
  if (a.agentId !== null) return `agent ${a.agentName ?? a.agentId}`;
  return '';
}

function AlertRows({ alerts }) {
  return alerts.map(
    (a) => html`<tr key=${a.id} data-id=${a.id}>
      <td><span class=${`badge alert-${a.state}`}>${a.state === 'none' ? 'cleared' : a.state}</span></td>
      <td>${a.template}</td>
      <td>${target(a)}</td>
      <td>${a.appliesTo}</td>
      <td>${new Date(a.changedAt).toLocaleString()}</td>
      <td>${a.enabled ? '' : 'disabled'}</td>
      <td><a class="alert-details" href=${`#/alerts/${a.id}`}>Details</a></td>
    </tr>`,
  );
}

const HEAD = html`<thead><tr><th>Level</th><th>Alert</th><th>On</th><th>Applies to</th><th>Since</th><th></th><th></th></tr></thead>`;

const stateText = (state) => (state === 'none' ? 'cleared' : state);

function ChangeRows({ changes }) {
  return changes.map(
    (c, i) => html`<tr key=${`${c.alertId}-${c.at}-${i}`}>
      <td>${new Date(c.at).toLocaleString()}</td>
      <td>${c.template}</td>
      <td>${target(c)}</td>
      <td>${c.event}</td>
      <td>${c.oldState === null ? '' : html`<span class=${`badge alert-${c.oldState}`}>${stateText(c.oldState)}</span> → `}
        <span class=${`badge alert-${c.newState}`}>${stateText(c.newState)}</span></td>
      <td class="num">${c.value === null ? '' : c.value}</td>
    </tr>`,
  );
}

/** The alerts page. */
export function AlertsPage({ prefs }) {
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
              : html`<div class="table-wrap"><table id="current-alerts">${HEAD}<tbody><${AlertRows} alerts=${d.current} /></tbody></table></div>`
          }
          <h2>History <span class="count">(${d.historySource === 'alert_history' ? 'state changes, newest first' : 'last change of each alert, newest first'})</span></h2>
          ${
            d.history.length === 0
              ? html`<p class="muted" id="no-history">No alert has changed state yet.</p>`
              : html`<div class="table-wrap"><table id="alert-history">
                  <thead><tr><th>At</th><th>Alert</th><th>On</th><th>Event</th><th>State</th><th>Value</th></tr></thead>
                  <tbody><${ChangeRows} changes=${d.history} /></tbody></table></div>`
          }`
        : html`<p class="muted">Loading…</p>`
    }
  </section>`;
}
