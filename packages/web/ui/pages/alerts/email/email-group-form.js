// @ts-check
// The form that creates or changes an email group: name, recipients (one
// address a line), the levels it is emailed for, and optional subject and
// body templates with %Placeholder%s. The server's message for a bad field
// (an address that is not one, a name already used...) shows next to it.
import { useAdminForm } from '../../../components/admin-form.js';
import { FieldError, FormResult } from '../../../components/form-fields.js';
import { createEmailGroup, updateEmailGroup } from '../../../lib/alert-admin-api.js';
import { html } from '../../../lib/html.js';
import { ADMINS_ONLY } from '../alert-ui.js';

/** @typedef {import('../../../lib/alert-admin-api.js').EmailGroup} EmailGroup */
/** @typedef {import('../../../components/form-fields.js').FormErrors} FormErrors */
/**
 * @typedef {{
 *   name: string, recipients: string, enabled: boolean, onLow: boolean, onMedium: boolean, onHigh: boolean,
 *   onCleared: boolean, subjectTemplate: string, bodyTemplate: string,
 * }} Values
 */

const P = 'group';

/**
 * @param {EmailGroup | undefined} g
 * @returns {Values}
 */
function valuesOf(g) {
  return {
    name: g?.name ?? '',
    recipients: (g?.recipients ?? []).join('\n'),
    enabled: g?.enabled ?? true,
    onLow: g?.on_low ?? true,
    onMedium: g?.on_medium ?? true,
    onHigh: g?.on_high ?? true,
    onCleared: g?.on_cleared ?? true,
    subjectTemplate: g?.subject_template ?? '',
    bodyTemplate: g?.body_template ?? '',
  };
}

/**
 * The request body of the form's values (recipients split at new lines and commas).
 * @param {Values} v
 */
function bodyOf(v) {
  return {
    name: v.name.trim(),
    recipients: v.recipients
      .split(/[\n,]/)
      .map((r) => r.trim())
      .filter((r) => r !== ''),
    enabled: v.enabled,
    onLow: v.onLow,
    onMedium: v.onMedium,
    onHigh: v.onHigh,
    onCleared: v.onCleared,
    subjectTemplate: v.subjectTemplate.trim() === '' ? null : v.subjectTemplate,
    bodyTemplate: v.bodyTemplate.trim() === '' ? null : v.bodyTemplate,
  };
}

/**
 * Creates (`group` undefined) or changes `group`; `onSaved(id)` after a save, `onCancel()` to close.
 * @param {{ group?: EmailGroup, onSaved: (id: number) => void, onCancel: () => void }} props
 */
export function EmailGroupForm({ group, onSaved, onCancel }) {
  const { v, set, errors, busy, submit, bad, check } = useAdminForm({
    prefix: P,
    initial: () => valuesOf(group),
    validate: (values) => ({ body: bodyOf(values), errors: {} }),
    save: async (body) => {
      const r = group ? await updateEmailGroup(group.id, body) : await createEmailGroup(body);
      onSaved(r.id);
    },
    forbidden: ADMINS_ONLY,
  });
  /** @param {'recipients' | 'subjectTemplate' | 'bodyTemplate'} name @param {string} label @param {number} rows @param {string} placeholder */
  const area = (name, label, rows, placeholder) => html`<div class="form-row">
    <label class="wide">${label}
      <textarea id=${`${P}-${name}`} rows=${rows} value=${v[name]} onInput=${set(name)} aria-invalid=${bad(name)}
        placeholder=${placeholder}></textarea></label>
    <${FieldError} prefix=${P} name=${name} errors=${errors} />
  </div>`;
  return html`<form id="group-form" class="admin-form card-form" noValidate onSubmit=${submit}>
    <h3>${group ? `Change email group ${group.name}` : 'New email group'}</h3>
    <fieldset disabled=${busy}>
      <div class="form-row"><label>Name
        <input id=${`${P}-name`} value=${v.name} onInput=${set('name')} aria-invalid=${bad('name')} required /></label>
        <${FieldError} prefix=${P} name="name" errors=${errors} /></div>
      ${area('recipients', 'Recipients, one address a line', 3, 'dba@example.com')}
      ${area('subjectTemplate', 'Subject template (empty = the default)', 1, '[Pharos] %CurrentState%: %AlertName% on %ObjectName%')}
      ${area('bodyTemplate', 'Body template (empty = the default)', 4, '')}
      <div class="form-row">
        <span class="muted">Email for</span> ${check('onLow', 'low')} ${check('onMedium', 'medium')} ${check('onHigh', 'high')}
        ${check('onCleared', 'cleared')} ${check('enabled', 'enabled')}
      </div>
      <div class="form-row">
        <button type="submit" id="group-save">${group ? 'Save' : 'Create'}</button>
        <button type="button" id="group-cancel" onClick=${onCancel}>Cancel</button>
      </div>
    </fieldset>
    <${FormResult} prefix=${P} errors=${errors} status="" />
  </form>`;
}
