// @ts-check
// The Email tab: the SMTP settings (a form for administrators, text for
// others; never the password) and the email groups (recipients, the levels
// each is emailed for), which administrators create, change and test: "Send
// a test email" queues one through the outbox and follows its delivery.
import { Badge } from '../../../components/badges.js';
import { StatusBar } from '../../../components/status-bar.js';
import { Table } from '../../../components/table.js';
import { getSmtp, listEmailGroups, testEmailGroup } from '../../../lib/alert-admin-api.js';
import { html, useState } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { ReadOnlyNote } from '../alert-ui.js';
import { DeliveryTest } from '../webhooks/webhook-test.js';
import { EmailGroupForm } from './email-group-form.js';
import { SmtpForm } from './smtp-form.js';

/** @typedef {import('../../../lib/alert-admin-api.js').EmailGroup} EmailGroup */

/**
 * The levels a group is emailed for: "low, medium, high, cleared", or "none".
 * @param {EmailGroup} g
 */
function levels(g) {
  const on = [g.on_low && 'low', g.on_medium && 'medium', g.on_high && 'high', g.on_cleared && 'cleared'];
  return on.filter(Boolean).join(', ') || 'none';
}

/**
 * @param {{ group: EmailGroup, canEdit: boolean, onEdit: (g: EmailGroup) => void }} props
 */
function Row({ group: g, canEdit, onEdit }) {
  return html`<tr data-id=${g.id} data-name=${g.name}>
    <td>${g.name}</td>
    <td class="wrap">${(g.recipients ?? []).join(', ')}</td>
    <td>${levels(g)}</td>
    <td>${g.enabled ? 'yes' : html`<${Badge} tone="off" text="disabled" />`}</td>
    <td class="actions">${
      canEdit
        ? html`<button type="button" class="small group-edit" onClick=${() => onEdit(g)}>Edit</button>`
        : ''
    }</td>
    <td class="wrap"><${DeliveryTest} send=${() => testEmailGroup(g.id)} canEdit=${canEdit} label="Send a test email"
      cls="group-test" /></td>
  </tr>`;
}

/**
 * The Email tab; `canEdit` shows the administrators' controls.
 * @param {{ prefs: import('../../../lib/api.js').Preferences, canEdit: boolean }} props
 */
export function EmailPage({ prefs, canEdit }) {
  const groups = usePoll(listEmailGroups, 'email-groups', prefs.refreshIntervalS);
  const smtp = usePoll(getSmtp, 'smtp', 0);
  // undefined: no form; null: a new group; a row: that group
  const [editing, setEditing] = useState(/** @type {EmailGroup | null | undefined} */ (undefined));
  const [notice, setNotice] = useState('');
  /** @param {string} what */
  const saved = (what) => () => {
    setEditing(undefined);
    setNotice(what);
    groups.reload();
  };
  const d = groups.data;
  return html`<section id="email-view">
    <${StatusBar} poll=${groups} intervalS=${prefs.refreshIntervalS} />
    <${ReadOnlyNote} canEdit=${canEdit} />
    <h2>SMTP server</h2>
    ${
      smtp.data
        ? html`<${SmtpForm} smtp=${smtp.data} canEdit=${canEdit} onSaved=${() => smtp.reload()} />`
        : html`<p class="muted">Loading…</p>`
    }
    <div class="page-head">
      <h2>Email groups <span class="count">${d ? `(${d.length})` : ''}</span></h2>
      ${
        canEdit && editing === undefined
          ? html`<button type="button" id="group-new" onClick=${() => {
              setEditing(null);
              setNotice('');
            }}>New email group</button>`
          : ''
      }
    </div>
    ${
      editing !== undefined
        ? html`<${EmailGroupForm} key=${editing?.id ?? 'new'} group=${editing ?? undefined}
            onSaved=${saved(editing ? 'Email group saved.' : 'Email group created.')} onCancel=${() => setEditing(undefined)} />`
        : ''
    }
    <p class="ok-text" id="groups-notice" role="status" hidden=${!notice}>${notice}</p>
    ${
      !d
        ? html`<p class="muted">Loading…</p>`
        : d.length === 0
          ? html`<p class="muted" id="no-groups">No email group yet.</p>`
          : html`<${Table} id="email-groups" head=${['Name', 'Recipients', 'Emailed for', 'Enabled', '', canEdit ? 'Test' : '']}>${d.map(
              (g) =>
                html`<${Row} key=${g.id} group=${g} canEdit=${canEdit} onEdit=${(
                  /** @type {EmailGroup} */ x,
                ) => {
                  setEditing(x);
                  setNotice('');
                }} />`,
            )}</${Table}>`
    }
  </section>`;
}
