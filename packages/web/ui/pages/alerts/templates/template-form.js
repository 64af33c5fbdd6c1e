// @ts-check
// The form that creates or changes a custom alert template: name (new ones
// only), level, the SQL (run once by the server to check it), operator and
// thresholds, default interval, unit, description and whether it is bound
// to every new agent or server. The server's message for a bad field (SQL
// that fails, thresholds out of order, a zero interval...) shows next to it.
import { useAdminForm } from '../../../components/admin-form.js';
import { FieldError, FormResult, parseNumber } from '../../../components/form-fields.js';
import { saveTemplate } from '../../../lib/alert-admin-api.js';
import { html } from '../../../lib/html.js';
import { ADMINS_ONLY } from '../alert-ui.js';

/** @typedef {import('../../../lib/alert-admin-api.js').TemplateRow} TemplateRow */
/** @typedef {import('../../../components/form-fields.js').FormErrors} FormErrors */
/**
 * @typedef {{
 *   name: string, level: 'agent' | 'server' | 'database', sql: string, operator: '>' | '<', low: string,
 *   medium: string, high: string, intervalS: string, unit: string, description: string, autoBind: boolean,
 * }} Values
 */

const P = 'template';

/**
 * @param {TemplateRow | undefined} t
 * @returns {Values}
 */
function valuesOf(t) {
  return {
    name: t?.name ?? '',
    level: t?.level ?? 'server',
    sql: t?.sql ?? '',
    operator: t?.operator ?? '>',
    low: String(t?.low ?? ''),
    medium: String(t?.medium ?? ''),
    high: String(t?.high ?? ''),
    intervalS: String(t?.interval_s ?? 60),
    unit: t?.unit ?? '',
    description: t?.description ?? '',
    autoBind: t?.auto_bind ?? false,
  };
}

/**
 * The request body, or the input errors found before sending.
 * @param {Values} v
 */
function bodyOf(v) {
  /** @type {FormErrors} */
  const errors = {};
  /** @type {Record<string, unknown>} */
  const body = {
    level: v.level,
    sql: v.sql,
    operator: v.operator,
    unit: v.unit.trim(),
    description: v.description.trim(),
    autoBind: v.autoBind,
  };
  for (const k of /** @type {const} */ (['low', 'medium', 'high', 'intervalS'])) {
    const n = parseNumber(v[k]);
    if (n.error !== undefined) errors[k] = n.error;
    else body[k] = n.value;
  }
  if (v.name.trim() === '') errors.name = 'a template needs a name';
  return { body, errors };
}

/**
 * Creates (`template` undefined) or changes the custom `template`; `onSaved(name)` after a save.
 * @param {{ template?: TemplateRow, onSaved: (name: string) => void, onCancel: () => void }} props
 */
export function TemplateForm({ template, onSaved, onCancel }) {
  const { v, set, errors, busy, submit, bad, text } = useAdminForm({
    prefix: P,
    initial: () => valuesOf(template),
    validate: bodyOf,
    save: async (body) => {
      const name = v.name.trim();
      await saveTemplate(name, body);
      onSaved(name);
    },
    forbidden: ADMINS_ONLY,
  });
  /** @param {'low' | 'medium' | 'high'} name @param {string} label */
  const threshold = (name, label) =>
    text(name, label, { type: 'number', step: 'any', 'aria-invalid': bad(name) ?? bad('thresholds') });
  return html`<form id="template-form" class="admin-form card-form" noValidate onSubmit=${submit}>
    <h3>${template ? `Change template ${template.name}` : 'New alert template'}</h3>
    <fieldset disabled=${busy}>
      <div class="form-row">
        ${text('name', 'Name', { required: true, disabled: Boolean(template) })}
        <label>Level <select id=${`${P}-level`} value=${v.level} onChange=${set('level')} aria-invalid=${bad('level')}>
          <option value="agent">agent</option><option value="server">server</option><option value="database">database</option></select></label>
        <${FieldError} prefix=${P} name="level" errors=${errors} />
      </div>
      <div class="form-row">
        <label class="wide">SQL: returns a column <code>value</code> (and optionally <code>detail</code>); $1 agent id, $2 server id, $3 object, $4 params
          <textarea id=${`${P}-sql`} rows="5" value=${v.sql} onInput=${set('sql')} aria-invalid=${bad('sql')}
            placeholder="SELECT count(*)::float8 AS value FROM ..."></textarea></label>
        <${FieldError} prefix=${P} name="sql" errors=${errors} />
      </div>
      <div class="form-row">
        <label>Raised when the value is <select id=${`${P}-operator`} value=${v.operator} onChange=${set('operator')}
          aria-invalid=${bad('operator')}><option value=">">above</option><option value="<">below</option></select></label>
        <${FieldError} prefix=${P} name="operator" errors=${errors} />
        ${threshold('low', 'Low')} ${threshold('medium', 'Medium')}
        ${threshold('high', 'High')}
        <${FieldError} prefix=${P} name="thresholds" errors=${errors} />
      </div>
      <div class="form-row">
        ${text('intervalS', 'Interval (s)', { type: 'number', step: '1' })} ${text('unit', 'Unit')}
        <label class="check"><input id=${`${P}-autoBind`} type="checkbox" checked=${v.autoBind} onChange=${set('autoBind')} />
          bind to every new ${v.level === 'agent' ? 'agent' : 'server'}</label>
      </div>
      <div class="form-row">${text('description', 'Description', { class: 'url-input' })}</div>
      <div class="form-row">
        <button type="submit" id="template-save">${template ? 'Save' : 'Create'}</button>
        <button type="button" id="template-cancel" onClick=${onCancel}>Cancel</button>
      </div>
    </fieldset>
    <${FormResult} prefix=${P} errors=${errors} status="" />
  </form>`;
}
