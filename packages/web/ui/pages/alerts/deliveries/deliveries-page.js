// @ts-check
// Delivery history: every notification, newest first, with its channel and
// target, status, attempts, last result (the error, or the HTTP status) and
// delivered time; its attempts one by one on demand; a failed one can be
// queued again by administrators. Filters: status and channel, and the
// webhook or alert given in the URL (#/alerts/deliveries?webhookId=3, ?alertId=7).
import { fieldSetter } from '../../../components/form-fields.js';
import { StatusBar } from '../../../components/status-bar.js';
import { Table } from '../../../components/table.js';
import { getDelivery, listDeliveries, requeueDelivery } from '../../../lib/alert-admin-api.js';
import { errorText } from '../../../lib/api.js';
import { when } from '../../../lib/format.js';
import { html, useEffect, useState } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { href } from '../../../lib/route.js';
import { ADMINS_ONLY } from '../alert-ui.js';
import { attemptText, DeliveryStatus, lastResult, progressText } from '../delivery-ui.js';

/** @typedef {import('../../../lib/alert-admin-api.js').Delivery} Delivery */
/** @typedef {import('../../../lib/alert-admin-api.js').DeliveryAttempt} DeliveryAttempt */

/** @param {unknown} err */
const failure = (err) => errorText(err, { forbidden: ADMINS_ONLY });

/** @param {{ id: number }} props */
function Attempts({ id }) {
  const [rows, setRows] = useState(/** @type {DeliveryAttempt[] | undefined} */ (undefined));
  const [error, setError] = useState('');
  useEffect(() => {
    getDelivery(id)
      .then((r) => setRows(r.attempts))
      .catch((err) => setError(failure(err)));
  }, [id]);
  if (error) return html`<p class="error">${error}</p>`;
  if (!rows) return html`<p class="muted">Loading…</p>`;
  if (rows.length === 0) return html`<p class="muted">No attempt yet.</p>`;
  return html`<table class="attempts">
    <thead><tr><th>Attempt</th><th>Finished</th><th>Agent</th><th>Result</th></tr></thead>
    <tbody>${rows.map(
      (
        a,
      ) => html`<tr key=${a.attempt}><td>${a.attempt}</td><td>${when(a.finished_at)}</td><td>${a.agent_id}</td>
        <td class=${`wrap ${a.ok ? '' : 'error'}`}>${attemptText(a)}</td></tr>`,
    )}</tbody></table>`;
}

/** @param {{ delivery: Delivery, canEdit: boolean, onDone: () => void }} props */
function Requeue({ delivery, canEdit, onDone }) {
  const [error, setError] = useState('');
  if (!canEdit || delivery.status !== 'failed') return '';
  const go = () =>
    requeueDelivery(delivery.id)
      .then(onDone)
      .catch((err) => setError(failure(err)));
  return html`<button type="button" class="small requeue" onClick=${go}>Send again</button>${error ? html` <span class="error">${error}</span>` : ''}`;
}

/** @param {{ d: Delivery, canEdit: boolean, reload: () => void }} props */
function Row({ d, canEdit, reload }) {
  const [open, setOpen] = useState(false);
  const target = d.webhook_name ?? d.email_group_name ?? html`<span class="muted">(deleted)</span>`;
  return html`<tr data-id=${d.id} data-status=${d.status}>
      <td class="num">${d.id}</td>
      <td>${when(d.created_at)}</td>
      <td>${d.event}</td>
      <td>${d.alert_id ? html`<a href=${href.alert(d.alert_id)}>${d.alert_name}</a>` : d.alert_name}</td>
      <td>${d.object_name}</td>
      <td>${d.channel}</td>
      <td>${target}</td>
      <td><${DeliveryStatus} delivery=${d} /></td>
      <td>${progressText(d)}</td>
      <td class=${`wrap last-result${d.status === 'delivered' ? '' : ' error'}`}>${lastResult(d)}</td>
      <td>${when(d.delivered_at)}</td>
      <td class="actions">
        <button type="button" class="small attempts-toggle" aria-expanded=${open ? 'true' : 'false'}
          onClick=${() => setOpen(!open)}>${open ? 'Hide attempts' : 'Attempts'}</button>
        <${Requeue} delivery=${d} canEdit=${canEdit} onDone=${reload} />
      </td>
    </tr>
    ${open ? html`<tr class="attempts-row" data-attempts-of=${d.id}><td colspan="12"><${Attempts} id=${d.id} /></td></tr>` : ''}`;
}

const HEAD = [
  '#',
  'Created',
  'Event',
  'Alert',
  'Object',
  'Channel',
  'To',
  'Status',
  'Attempts',
  'Last result',
  'Delivered',
  '',
];

/**
 * The Delivery history tab; `params` may hold webhookId or alertId (from the URL).
 * @param {{ prefs: import('../../../lib/api.js').Preferences, canEdit: boolean, params?: Record<string, string> }} props
 */
export function DeliveriesPage({ prefs, canEdit, params }) {
  const [filter, setFilter] = useState({ status: '', channel: '' });
  const scope = { webhookId: params?.webhookId, alertId: params?.alertId };
  const poll = usePoll(
    () => listDeliveries({ ...filter, ...scope, limit: 200 }),
    `deliveries-${JSON.stringify([filter, scope])}`,
    prefs.refreshIntervalS,
  );
  const set = fieldSetter(setFilter);
  const d = poll.data;
  return html`<section id="deliveries-view">
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <div class="filters">
      <label>Status <select id="filter-delivery-status" value=${filter.status} onChange=${set('status')}>
        <option value="">any</option><option value="pending">pending</option>
        <option value="delivered">delivered</option><option value="failed">failed</option></select></label>
      <label>Channel <select id="filter-delivery-channel" value=${filter.channel} onChange=${set('channel')}>
        <option value="">any</option><option value="webhook">webhook</option><option value="email">email</option></select></label>
      ${
        scope.webhookId || scope.alertId
          ? html`<span class="muted" id="delivery-scope">only ${scope.webhookId ? `webhook #${scope.webhookId}` : `alert #${scope.alertId}`}
              · <a href=${href.deliveries()}>show all</a></span>`
          : ''
      }
    </div>
    <h2>Delivery history <span class="count">(notifications, newest first${d ? `; ${d.length}` : ''})</span></h2>
    ${
      !d
        ? html`<p class="muted">Loading…</p>`
        : d.length === 0
          ? html`<p class="muted" id="no-deliveries">No notification matches.</p>`
          : html`<${Table} id="deliveries" head=${HEAD}>${d.map(
              (x) => html`<${Row} key=${x.id} d=${x} canEdit=${canEdit} reload=${poll.reload} />`,
            )}</${Table}>`
    }
  </section>`;
}
