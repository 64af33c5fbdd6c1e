// @ts-check
// The Templates tab: every alert template (level, thresholds, interval,
// unit, description; its SQL on demand). Built-in templates ship with the
// release and are read-only; administrators create, change and delete
// custom ones (a template an alert uses cannot be deleted: the server says so).
import { Badge } from '../../../components/badges.js';
import { ConfirmButton } from '../../../components/confirm-button.js';
import { StatusBar } from '../../../components/status-bar.js';
import { Table } from '../../../components/table.js';
import { deleteTemplate, listTemplates } from '../../../lib/alert-admin-api.js';
import { errorText } from '../../../lib/api.js';
import { html, useState } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { ADMINS_ONLY, ReadOnlyNote } from '../alert-ui.js';
import { TemplateForm } from './template-form.js';

/** @typedef {import('../../../lib/alert-admin-api.js').TemplateRow} TemplateRow */

/**
 * @param {{ template: TemplateRow, canEdit: boolean, onEdit: (t: TemplateRow) => void, reload: () => void, onError: (text: string) => void }} props
 */
function Row({ template: t, canEdit, onEdit, reload, onError }) {
  return html`<tr data-name=${t.name}>
    <td>${t.name} ${t.builtin ? html`<${Badge} tone="off" text="built in" />` : ''}</td>
    <td>${t.level}</td>
    <td class="num">${t.operator} ${t.low} / ${t.medium} / ${t.high} ${t.unit}</td>
    <td class="num">${t.interval_s} s</td>
    <td class="wrap">${t.description}<details><summary>SQL</summary><pre class="sql">${t.sql}</pre></details></td>
    <td class="actions">${
      canEdit && !t.builtin
        ? html`<button type="button" class="small template-edit" onClick=${() => onEdit(t)}>Edit</button>
            <${ConfirmButton} label="Delete" className="template-delete" action=${() => deleteTemplate(t.name)}
              onDone=${reload} onError=${(/** @type {unknown} */ err) => onError(errorText(err, { forbidden: ADMINS_ONLY }))} />`
        : ''
    }</td>
  </tr>`;
}

/**
 * The Templates tab; `canEdit` shows the administrators' controls.
 * @param {{ prefs: import('../../../lib/api.js').Preferences, canEdit: boolean }} props
 */
export function TemplatesPage({ prefs, canEdit }) {
  const poll = usePoll(listTemplates, 'templates', prefs.refreshIntervalS);
  // undefined: no form; null: a new template; a row: that template
  const [editing, setEditing] = useState(/** @type {TemplateRow | null | undefined} */ (undefined));
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
  return html`<section id="templates-view">
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <${ReadOnlyNote} canEdit=${canEdit} />
    <div class="page-head">
      <h2>Alert templates <span class="count">${d ? `(${d.length})` : ''}</span></h2>
      ${
        canEdit && editing === undefined
          ? html`<button type="button" id="template-new" onClick=${() => {
              setEditing(null);
              setNotice('');
            }}>New template</button>`
          : ''
      }
    </div>
    ${
      editing !== undefined
        ? html`<${TemplateForm} key=${editing?.name ?? 'new'} template=${editing ?? undefined}
            onSaved=${saved(editing ? 'Template saved.' : 'Template created.')} onCancel=${() => setEditing(undefined)} />`
        : ''
    }
    <p class="ok-text" id="templates-notice" role="status" hidden=${!notice}>${notice}</p>
    <p class="error" id="templates-error" role="alert" hidden=${!error}>${error}</p>
    ${
      !d
        ? html`<p class="muted">Loading…</p>`
        : html`<${Table} id="templates" head=${['Name', 'Level', 'Thresholds', 'Interval', 'Description', '']}>${d.map(
            (t) =>
              html`<${Row} key=${t.name} template=${t} canEdit=${canEdit} reload=${saved('Template deleted.')}
                  onEdit=${(/** @type {TemplateRow} */ x) => {
                    setEditing(x);
                    setNotice('');
                  }} onError=${setError} />`,
          )}</${Table}>`
    }
  </section>`;
}
