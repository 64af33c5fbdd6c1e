// @ts-check
// Webhooks: the list (URL, method, the levels each is sent for, timeout,
// retries, header names; never header values) and, for administrators,
// creating, changing, testing and deleting them.
import { Badge } from '../../../components/badges.js';
import { ConfirmButton } from '../../../components/confirm-button.js';
import { StatusBar } from '../../../components/status-bar.js';
import { Table } from '../../../components/table.js';
import { deleteWebhook, listWebhooks } from '../../../lib/alert-admin-api.js';
import { errorText } from '../../../lib/api.js';
import { html, useState } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { href } from '../../../lib/route.js';
import { ADMINS_ONLY, ReadOnlyNote } from '../alert-ui.js';
import { WebhookForm } from './webhook-form.js';
import { WebhookTest } from './webhook-test.js';

/** @typedef {import('../../../lib/alert-admin-api.js').Webhook} Webhook */

/**
 * The levels a webhook is sent for: "low, medium, high, cleared", or "none".
 * @param {Webhook} w
 */
function levels(w) {
  const on = [w.on_low && 'low', w.on_medium && 'medium', w.on_high && 'high', w.on_cleared && 'cleared'];
  return on.filter(Boolean).join(', ') || 'none';
}

/**
 * @param {{ webhook: Webhook, canEdit: boolean, onEdit: (w: Webhook) => void, reload: () => void, onError: (text: string) => void }} props
 */
function Row({ webhook: w, canEdit, onEdit, reload, onError }) {
  return html`<tr data-id=${w.id} data-name=${w.name}>
    <td>${w.name}</td>
    <td class="wrap url">${w.url ?? w.url_origin}</td>
    <td>${w.method}</td>
    <td>${levels(w)}</td>
    <td>${w.enabled ? 'yes' : html`<${Badge} tone="off" text="disabled" />`}</td>
    <td class="num">${w.timeout_ms} ms</td>
    <td class="num">${w.max_retries}</td>
    <td>${(w.header_names ?? []).join(', ')}</td>
    <td class="actions">
      <a href=${href.deliveries({ webhookId: w.id })} class="webhook-history">History</a>
      ${
        canEdit
          ? html`<button type="button" class="small webhook-edit" onClick=${() => onEdit(w)}>Edit</button>
              <${ConfirmButton} label="Delete" className="webhook-delete" action=${() => deleteWebhook(w.id)}
              onDone=${reload} onError=${(/** @type {unknown} */ err) => onError(errorText(err, { forbidden: ADMINS_ONLY }))} />`
          : ''
      }
    </td>
    <td class="wrap"><${WebhookTest} webhookId=${w.id} canEdit=${canEdit} /></td>
  </tr>`;
}

const HEAD = ['Name', 'URL', 'Method', 'Sent for', 'Enabled', 'Timeout', 'Retries', 'Headers', ''];

/**
 * The Webhooks tab; `canEdit` shows the administrators' controls.
 * @param {{ prefs: import('../../../lib/api.js').Preferences, canEdit: boolean }} props
 */
export function WebhooksPage({ prefs, canEdit }) {
  const poll = usePoll(listWebhooks, 'webhooks', prefs.refreshIntervalS);
  // undefined: no form; null: a new webhook; a row: that webhook
  const [editing, setEditing] = useState(/** @type {Webhook | null | undefined} */ (undefined));
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  /** @param {string} what */
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
          : html`<${Table} id="webhooks" head=${[...HEAD, canEdit ? 'Test' : '']}>${d.map(
              (w) =>
                html`<${Row} key=${w.id} webhook=${w} canEdit=${canEdit} reload=${saved('Webhook deleted.')}
                    onEdit=${(/** @type {Webhook} */ x) => {
                      setEditing(x);
                      setNotice('');
                    }} onError=${setError} />`,
            )}</${Table}>`
    }
  </section>`;
}
