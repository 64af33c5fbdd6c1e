// @ts-check
// One alert: its state and last value, its problem if it has one (the
// template's SQL failed, thresholds out of order), the acknowledgement, the
// configuration form, its recent state changes and the notifications it
// caused with their delivery status.
import { StatusBar } from '../../../components/status-bar.js';
import { Table } from '../../../components/table.js';
import {
  emailConfigured,
  getAlertConfig,
  getSmtp,
  listDeliveries,
  listEmailGroups,
} from '../../../lib/alert-admin-api.js';
import { duration, quantity, when } from '../../../lib/format.js';
import { html, useEffect, useState } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { href } from '../../../lib/route.js';
import { AckBox } from '../alert-ack.js';
import { AlertTarget, detailText, ReadOnlyNote, StateBadge, valueText } from '../alert-ui.js';
import { DeliveryStatus } from '../delivery-ui.js';
import { AlertForm } from './alert-form.js';

/** @typedef {import('../../../lib/alert-admin-api.js').AlertConfig} AlertConfig */

/** @param {{ alert: AlertConfig }} props */
function Problem({ alert: a }) {
  if (!a.last_error && !a.thresholds_problem) return '';
  return html`<div id="alert-problem" class="problem-box" data-tone="bad" role="alert">
    ${a.thresholds_problem ? html`<p><strong>Not evaluated:</strong> ${a.thresholds_problem}. Fix the thresholds below.</p>` : ''}
    ${
      a.last_error
        ? html`<p><strong>Last evaluation failed</strong> (${when(a.last_error_at)}, ${a.error_count} failure${Number(a.error_count) === 1 ? '' : 's'} so far): <span id="alert-last-error">${a.last_error}</span></p>`
        : ''
    }
  </div>`;
}

/** @param {{ alert: AlertConfig }} props */
function Facts({ alert: a }) {
  return html`<dl class="facts" id="alert-facts">
    <dt>State</dt><dd><${StateBadge} state=${a.state} /> since ${when(a.changed_at)}${a.flapping ? ' (flapping)' : ''}</dd>
    <dt>Value</dt><dd id="alert-value">${valueText(a) || html`<span class="muted">no data</span>`}${detailText(a) ? html` <span class="muted">(${detailText(a)})</span>` : ''}</dd>
    <dt>Level</dt><dd>${a.level}${a.object ? ` · ${a.object}` : ''}</dd>
    <dt>Evaluated</dt><dd>${when(a.last_evaluated_at) || 'never'} · every ${duration(a.interval_s, { exact: true })}${a.enabled && a.next_due ? ` · next ${when(a.next_due)}` : ''}</dd>
    <dt>Evaluations</dt><dd>${a.evaluations}${Number(a.missed_slots) > 0 ? ` (${a.missed_slots} intervals missed)` : ''}</dd>
    ${a.description ? html`<dt>About</dt><dd class="wrap">${a.description}</dd>` : ''}
  </dl>`;
}

const HISTORY_HEAD = ['At', 'Event', 'State', 'Value', 'Notified'];

/** @param {{ rows: import('../../../lib/alert-admin-api.js').AlertHistoryRow[], unit: string }} props */
function History({ rows, unit }) {
  if (rows.length === 0) return html`<p class="muted" id="alert-no-history">No state change yet.</p>`;
  return html`<${Table} id="alert-detail-history" head=${HISTORY_HEAD}>${rows.map(
    (h) => html`<tr key=${h.id}>
        <td>${when(h.at)}</td><td>${h.event}</td>
        <td><${StateBadge} state=${h.old_state} /> → <${StateBadge} state=${h.new_state} /></td>
        <td class="num">${quantity(h.value, unit)}</td><td>${h.notified ? 'yes' : 'no (damped)'}</td>
      </tr>`,
  )}</${Table}>`;
}

const NOTIFICATION_HEAD = ['#', 'Created', 'Event', 'To', 'Status'];

/** @param {{ alertId: number, rows: import('../../../lib/alert-admin-api.js').Delivery[] }} props */
function Notifications({ alertId, rows }) {
  if (rows.length === 0) return html`<p class="muted">No notification yet.</p>`;
  return html`<${Table} id="alert-deliveries" head=${NOTIFICATION_HEAD}>${rows.map(
    (n) => html`<tr key=${n.id} data-id=${n.id}>
        <td>${n.id}</td><td>${when(n.created_at)}</td><td>${n.event}</td>
        <td>${n.channel}: ${n.webhook_name ?? n.email_group_name ?? '(deleted)'}</td>
        <td><${DeliveryStatus} delivery=${n} /></td>
      </tr>`,
  )}</${Table}>
    <p><a href=${href.deliveries({ alertId })}>All notifications of this alert</a></p>`;
}

/**
 * The page of alert `id`; `canEdit` shows the administrators' controls.
 * @param {{ id: number, prefs: import('../../../lib/api.js').Preferences, canEdit: boolean }} props
 */
export function AlertDetailPage({ id, prefs, canEdit }) {
  const poll = usePoll(
    () => Promise.all([getAlertConfig(id), listDeliveries({ alertId: id, limit: 20 })]),
    `alert-${id}`,
    prefs.refreshIntervalS,
  );
  const [groups, setGroups] = useState(
    /** @type {import('../../../lib/alert-admin-api.js').EmailGroup[]} */ ([]),
  );
  const [emailReady, setEmailReady] = useState(/** @type {boolean | undefined} */ (undefined));
  useEffect(() => {
    listEmailGroups()
      .then(setGroups)
      .catch(() => {});
    getSmtp()
      .then((s) => setEmailReady(emailConfigured(s)))
      .catch(() => {});
  }, []);
  const [a, deliveries] = poll.data ?? [];
  return html`<section id="alert-detail-view">
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <p><a href=${href.alerts('all')} id="back-to-alerts">← All alerts</a></p>
    ${
      !a
        ? html`<p class="muted">Loading…</p>`
        : html`<h2 id="alert-title">${a.template} <span class="count">on</span> <${AlertTarget} alert=${a} /> <${StateBadge} state=${a.state} /></h2>
          <${Problem} alert=${a} />
          <${Facts} alert=${a} />
          <${AckBox} alert=${a} canEdit=${canEdit} onDone=${poll.reload} />
          <h3>Configuration</h3>
          <${ReadOnlyNote} canEdit=${canEdit} />
          <${AlertForm} key=${a.id} alert=${a} groups=${groups} emailReady=${emailReady} canEdit=${canEdit} onSaved=${poll.reload} />
          <h3>Recent state changes</h3>
          <${History} rows=${a.history} unit=${a.unit ?? ''} />
          <h3>Notifications</h3>
          <${Notifications} alertId=${a.id} rows=${deliveries ?? []} />`
    }
  </section>`;
}
