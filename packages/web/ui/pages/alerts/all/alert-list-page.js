// @ts-check
// All alerts with their configuration: state, last value, thresholds,
// interval, notification settings and any problem (a template whose SQL
// fails, thresholds out of order, a timeout), filtered by state, template
// or "problems only". Each row opens the alert's page (configure); raised
// alerts can be acknowledged from here by administrators.
import { Badge } from '../../../components/badges.js';
import { fieldSetter } from '../../../components/form-fields.js';
import { StatusBar } from '../../../components/status-bar.js';
import { Table } from '../../../components/table.js';
import { listAlertConfigs, listTemplates } from '../../../lib/alert-admin-api.js';
import { duration } from '../../../lib/format.js';
import { html, useEffect, useState } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { href } from '../../../lib/route.js';
import { AckButton, ackText } from '../alert-ack.js';
import { AlertTarget, detailText, ReadOnlyNote, StateBadge, thresholdsText, valueText } from '../alert-ui.js';

/** @typedef {import('../../../lib/alert-admin-api.js').AlertConfig} AlertConfig */

/** The state filter's choices: value of the API's `state` filter, label. */
const STATES = [
  ['', 'any state'],
  ['low,medium,high', 'raised'],
  ['high', 'high'],
  ['medium', 'medium'],
  ['low', 'low'],
  ['none', 'none'],
];

/** @param {AlertConfig} a */
function problemOf(a) {
  return a.thresholds_problem || a.last_error || '';
}

/** @param {{ alert: AlertConfig }} props */
function Flags({ alert: a }) {
  return html`${a.enabled ? '' : html`<${Badge} tone="off" text="disabled" /> `}${
    a.acknowledged_at ? html`<${Badge} tone="ok" text="acknowledged" title=${ackText(a)} /> ` : ''
  }${a.flapping ? html`<${Badge} tone="warn" text="flapping" />` : ''}`;
}

/** @param {AlertConfig} a */
function notifyText(a) {
  const to = [a.notify_webhooks ? 'webhooks' : '', a.notify_email ? 'email' : ''].filter(Boolean);
  return to.length ? to.join(', ') : 'none';
}

/** @param {{ alert: AlertConfig, canEdit: boolean, reload: () => void }} props */
function Row({ alert: a, canEdit, reload }) {
  const problem = problemOf(a);
  return html`<tr key=${a.id} data-id=${a.id} class=${problem ? 'has-problem' : ''}>
    <td><${StateBadge} state=${a.state} /></td>
    <td class="wrap template"><a href=${href.alert(a.id)}>${a.template}</a></td>
    <td><${AlertTarget} alert=${a} /></td>
    <td class="wrap object">${a.object}</td>
    <td class="value"><span class="num">${valueText(a)}</span>${detailText(a) ? html`<div class="muted detail">${detailText(a)}</div>` : ''}</td>
    <td class="thresholds">${thresholdsText(a)}</td>
    <td>${duration(a.interval_s, { exact: true })}</td>
    <td>${notifyText(a)}</td>
    <td><${Flags} alert=${a} /></td>
    <td class="wrap error problem">${problem}</td>
    <td class="actions">
      <a class="configure" href=${href.alert(a.id)}>${canEdit ? 'Configure' : 'View'}</a>
      <${AckButton} alert=${a} canEdit=${canEdit} onDone=${reload} />
    </td>
  </tr>`;
}

const HEAD = [
  'State',
  'Alert',
  'On',
  'Object',
  'Value',
  'Thresholds (L/M/H)',
  'Every',
  'Notify',
  '',
  'Problem',
  '',
];

/**
 * The "All alerts" tab; `canEdit` shows the administrators' controls.
 * @param {{ prefs: import('../../../lib/api.js').Preferences, canEdit: boolean }} props
 */
export function AlertListPage({ prefs, canEdit }) {
  const [filter, setFilter] = useState({ state: '', template: '', problems: false });
  const [templates, setTemplates] = useState(
    /** @type {import('../../../lib/alert-admin-api.js').AlertTemplate[]} */ ([]),
  );
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
  const set = fieldSetter(setFilter);
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
          : html`<${Table} id="alert-configs" head=${HEAD}>${d.map(
              (a) => html`<${Row} key=${a.id} alert=${a} canEdit=${canEdit} reload=${poll.reload} />`,
            )}</${Table}>`
    }
  </section>`;
}
