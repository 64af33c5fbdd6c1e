// All alerts with their configuration: state, last value, thresholds,
// interval, notification settings and any problem (a template whose SQL
// fails, thresholds out of order, a timeout), filtered by state, template
// or "problems only". Each row opens the alert's page (configure); raised
// alerts can be acknowledged from here by administrators.

import { StatusBar } from '../../../components/status-bar.js';
import { listAlertConfigs, listTemplates } from '../../../lib/alert-admin-api.js';
import { html, useEffect, useState } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { AckButton, ackText } from '../alert-ack.js';
import { AlertTarget, ReadOnlyNote, StateBadge, seconds, thresholdsText, valueText } from '../alert-ui.js';

const STATES = [
  ['', 'any state'],
  ['low,medium,high', 'raised'],
  ['high', 'high'],
  ['medium', 'medium'],
  ['low', 'low'],
  ['none', 'none'],
];

function problemOf(a) {
  if (a.thresholds_problem) return a.thresholds_problem;
  if (a.last_error) return a.last_error;
  return '';
}

function Flags({ alert: a }) {
  return html`${a.enabled ? '' : html`<span class="badge status-off">disabled</span> `}${
    a.acknowledged_at ? html`<span class="badge status-ok" title=${ackText(a)}>acknowledged</span> ` : ''
  }${a.flapping ? html`<span class="badge status-warn">flapping</span>` : ''}`;
}

function notifyText(a) {
  const to = [a.notify_webhooks ? 'webhooks' : '', a.notify_email ? 'email' : ''].filter(Boolean);
  return to.length ? to.join(', ') : 'none';
}

function Row({ alert: a, canEdit, reload }) {
  const problem = problemOf(a);
  return html`<tr key=${a.id} data-id=${a.id} class=${problem ? 'has-problem' : ''}>
    <td><${StateBadge} state=${a.state} /></td>
    <td><a href=${`#/alerts/${a.id}`}>${a.template}</a></td>
    <td><${AlertTarget} alert=${a} /></td>
    <td>${a.object}</td>
    <td class="num">${valueText(a)}</td>
    <td class="thresholds">${thresholdsText(a)}</td>
    <td>${seconds(a.interval_s)}</td>
    <td>${notifyText(a)}</td>
    <td><${Flags} alert=${a} /></td>
    <td class="wrap error problem">${problem}</td>
    <td class="actions">
      <a class="configure" href=${`#/alerts/${a.id}`}>${canEdit ? 'Configure' : 'View'}</a>
      <${AckButton} alert=${a} canEdit=${canEdit} onDone=${reload} />
    </td>
  </tr>`;
}

/** The "All alerts" page; `canEdit` shows the administrators' controls. */
export function AlertListPage({ prefs, canEdit }) {
  const [filter, setFilter] = useState({ state: '', template: '', problems: false });
  const [templates, setTemplates] = useState([]);
  useEffect(() => {
    listTemplates()
      .then(setTemplates)
      .catch(() => {});
  }, []);
  const poll = usePoll(
    () => listAlertConfigs({ ...filter, problems: filter.problems || undefined }),
    `alert-configs-${JSON.stringify(filter)}`,
    prefs.refreshIntervalS,
  );
  const set = (name) => (e) => {
    const t = e.currentTarget;
    setFilter((f) => ({ ...f, [name]: t.type === 'checkbox' ? t.checked : t.value }));
  };
  const d = poll.data;
  return html`<section id="alert-list-view">
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <${ReadOnlyNote} canEdit=${canEdit} />
    <div class="filters">
      <label>State <select id="filter-state" value=${filter.state} onChange=${set('state')}>
        ${STATES.map(([v, t]) => html`<option key=${v} value=${v}>${t}</option>`)}
      </select></label>
      <label>Template <select id="filter-template" value=${filter.template} onChange=${set('template')}>
        <option value="">any template</option>
        ${templates.map((t) => html`<option key=${t.name} value=${t.name}>${t.name}</option>`)}
      </select></label>
      <label class="check"><input id="filter-problems" type="checkbox" checked=${filter.problems} onChange=${set('problems')} /> with a problem only</label>
    </div>
    <h2>Alerts <span class="count">${d ? `(${d.length})` : ''}</span></h2>
    ${
      !d
        ? html`<p class="muted">Loading…</p>`
        : d.length === 0
          ? html`<p class="muted" id="no-alert-configs">No alert matches.</p>`
          : html`<div class="table-wrap"><table id="alert-configs">
              <thead><tr><th>State</th><th>Alert</th><th>On</th><th>Object</th><th>Value</th><th>Thresholds (L/M/H)</th>
                <th>Every</th><th>Notify</th><th></th><th>Problem</th><th></th></tr></thead>
              <tbody>${d.map((a) => html`<${Row} key=${a.id} alert=${a} canEdit=${canEdit} reload=${poll.reload} />`)}</tbody>
            </table></div>`
    }
  </section>`;
}
