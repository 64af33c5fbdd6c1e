// Webhooks: the list (URL, method, the levels each is sent for, timeout,
// retries, header names; never header values) and, for administrators,
// creating, changing, testing and deleting them.

import { StatusBar } from '../../../components/status-bar.js';
import { deleteWebhook, listWebhooks } from '../../../lib/alert-admin-api.js';
import { html, useState } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { errorText, ReadOnlyNote } from '../alert-ui.js';
import { WebhookForm } from './webhook-form.js';
import { WebhookTest } from './webhook-test.js';

function levels(w) {
  const on = [w.on_low && 'low', w.on_medium && 'medium', w.on_high && 'high', w.on_cleared && 'cleared'];
  return on.filter(Boolean).join(', ') || 'none';
}

/** Delete with a second click to confirm (no browser dialog). */
function DeleteButton({ webhook, onDone, onError }) {
  const [armed, setArmed] = useState(false);
  const go = async () => {
    if (!armed) return setArmed(true);
    try {
      await deleteWebhook(webhook.id);
      onDone();
    } catch (err) {
      setArmed(false);
      onError(errorText(err));
    }
  };
  return html`<button type="button" class=${`small webhook-delete${armed ? ' danger' : ''}`} onClick=${go}
    onBlur=${() => setArmed(false)}>${armed ? 'Really delete?' : 'Delete'}</button>`;
}

function Row({ webhook: w, canEdit, onEdit, reload, onError }) {
  return html`<tr data-id=${w.id} data-name=${w.name}>
    <td>${w.name}</td>
    <td class="wrap url">${w.url}</td>
    <td>${w.method}</td>
    <td>${levels(w)}</td>
    <td>${w.enabled ? 'yes' : html`<span class="badge status-off">disabled</span>`}</td>
    <td class="num">${w.timeout_ms} ms</td>
    <td class="num">${w.max_retries}</td>
    <td>${(w.header_names ?? []).join(', ')}</td>
    <td class="actions">
      <a href=${`#/alerts/deliveries?webhookId=${w.id}`} class="webhook-history">History</a>
      ${
        canEdit
          ? html`<button type="button" class="small webhook-edit" onClick=${() => onEdit(w)}>Edit</button>
              <${DeleteButton} webhook=${w} onDone=${reload} onError=${onError} />`
          : ''
      }
    </td>
    <td class="wrap"><${WebhookTest} webhookId=${w.id} canEdit=${canEdit} /></td>
  </tr>`;
}

/** The webhooks page; `canEdit` shows the administrators' controls. */
export function WebhooksPage({ prefs, canEdit }) {
  const poll = usePoll(listWebhooks, 'webhooks', prefs.refreshIntervalS);
  // undefined: no form; null: a new webhook; a row: that webhook
  const [editing, setEditing] = useState(undefined);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const saved = (what) => () => {
    setEditing(undefined);
    setNotice(what);
    setError('');
    poll.reload();
  };
  const d = poll.data;
  return html`<section id="webhooks-view">
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <${ReadOnlyNote} canEdit=${canEdit} />
    <div class="page-head">
      <h2>Webhooks <span class="count">${d ? `(${d.length})` : ''}</span></h2>
      ${
        canEdit && editing === undefined
          ? html`<button type="button" id="webhook-new" onClick=${() => {
              setEditing(null);
              setNotice('');
            }}>New webhook</button>`
          : ''
      }
    </div>
    ${
      editing !== undefined
        ? html`<${WebhookForm} key=${editing?.id ?? 'new'} webhook=${editing ?? undefined}
            onSaved=${saved(editing ? 'Webhook saved.' : 'Webhook created.')} onCancel=${() => setEditing(undefined)} />`
        : ''
    }
    <p class="ok-text" id="webhooks-notice" role="status" hidden=${!notice}>${notice}</p>
    <p class="error" id="webhooks-error" role="alert" hidden=${!error}>${error}</p>
    ${
      !d
        ? html`<p class="muted">Loading…</p>`
        : d.length === 0
          ? html`<p class="muted" id="no-webhooks">No webhook yet.${canEdit ? ' Create one to have alerts posted to it.' : ''}</p>`
          : html`<div class="table-wrap"><table id="webhooks">
              <thead><tr><th>Name</th><th>URL</th><th>Method</th><th>Sent for</th><th>Enabled</th><th>Timeout</th>
                <th>Retries</th><th>Headers</th><th></th><th>${canEdit ? 'Test' : ''}</th></tr></thead>
              <tbody>${d.map(
                (w) =>
                  html`<${Row} key=${w.id} webhook=${w} canEdit=${canEdit} reload=${saved('Webhook deleted.')}
                    onEdit=${(x) => {
                      setEditing(x);
                      setNotice('');
                    }} onError=${setError} />`,
              )}</tbody>
            </table></div>`
    }
  </section>`;
}
