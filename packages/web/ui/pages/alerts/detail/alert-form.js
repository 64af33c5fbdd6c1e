// @ts-check
// The configuration form of one alert: enabled, operator, Low/Medium/High
// thresholds, interval, parameter overrides and notification settings
// (webhooks, email group, reminders, flapping). The server validates
// (thresholds in order, whole seconds...) and its message shows next to the
// field at fault; parameter overrides are checked here first against the
// contract (contract/alert-params.ts: a probe that exists, a column it has).
// Read-only users see the values with every control disabled.
import {
  errorsOf,
  FieldError,
  FormResult,
  fieldSetter,
  parseNumber,
} from '../../../components/form-fields.js';
import { alertParamsProblems } from '../../../contract/alert-params.js';
import { patchAlertConfig } from '../../../lib/alert-admin-api.js';
import { html, useState } from '../../../lib/html.js';
import { href } from '../../../lib/route.js';
import { ADMINS_ONLY } from '../alert-ui.js';

/** @typedef {import('../../../lib/alert-admin-api.js').AlertConfig} AlertConfig */
/** @typedef {import('../../../components/form-fields.js').FormErrors} FormErrors */
/**
 * The form's values (strings for inputs).
 * @typedef {{
 *   enabled: boolean, operator: '>' | '<', low: string, medium: string, high: string, intervalS: string,
 *   params: string, notifyWebhooks: boolean, notifyEmail: boolean, emailGroupId: string, reminderS: string,
 *   flapDetection: boolean,
 * }} Values
 */

const P = 'alert';
const NUMBERS = /** @type {const} */ (['low', 'medium', 'high', 'intervalS', 'reminderS']);
/** @type {Record<(typeof NUMBERS)[number], string>} */
const LABELS = { low: 'low', medium: 'medium', high: 'high', intervalS: 'interval', reminderS: 'reminder' };

/**
 * The form's values from a row of pem.alert_overview.
 * @param {AlertConfig} a
 * @returns {Values}
 */
function valuesOf(a) {
  const params = a.params && Object.keys(a.params).length > 0 ? JSON.stringify(a.params) : '';
  return {
    enabled: a.enabled,
    operator: a.operator,
    low: String(a.low),
    medium: String(a.medium),
    high: String(a.high),
    intervalS: String(a.interval_s),
    params,
    notifyWebhooks: a.notify_webhooks,
    notifyEmail: a.notify_email,
    emailGroupId: a.email_group_id === null ? '' : String(a.email_group_id),
    reminderS: String(a.reminder_s),
    flapDetection: a.flap_detection,
  };
}

/**
 * The parameter overrides typed into the form: {params} or {error}. The
 * overrides merged over the template's must name a probe and a column of it
 * where they name any (alertParamsProblems).
 * @param {string} text
 * @param {Record<string, unknown> | null} templateParams
 * @returns {{ params: Record<string, unknown>, error?: undefined } | { params?: undefined, error: string }}
 */
function paramsOf(text, templateParams) {
  if (text.trim() === '') return { params: {} };
  let params;
  try {
    params = JSON.parse(text);
  } catch (err) {
    return { error: `not JSON: ${err instanceof Error ? err.message : err}` };
  }
  if (params === null || typeof params !== 'object' || Array.isArray(params))
    return { error: 'a JSON object is needed, e.g. {"max_age_s": 600}' };
  const problems = alertParamsProblems({ ...templateParams, ...params });
  return problems.length > 0 ? { error: problems.join('; ') } : { params };
}

/**
 * The PATCH body of the form's values, or the input errors found before sending.
 * @param {Values} v
 * @param {AlertConfig} alert
 */
function patchOf(v, alert) {
  /** @type {FormErrors} */
  const errors = {};
  /** @type {Record<string, unknown>} */
  const patch = {
    enabled: v.enabled,
    operator: v.operator,
    notifyWebhooks: v.notifyWebhooks,
    notifyEmail: v.notifyEmail,
    emailGroupId: v.emailGroupId === '' ? null : Number(v.emailGroupId),
    flapDetection: v.flapDetection,
  };
  for (const k of NUMBERS) {
    const n = parseNumber(v[k]);
    if (n.error !== undefined) errors[fieldOf(k)] = `${LABELS[k]}: ${n.error}`;
    else patch[k] = n.value;
  }
  const p = paramsOf(v.params, alert.template_params);
  if (p.error !== undefined) errors.params = p.error;
  else patch.params = p.params;
  return { patch, errors };
}

/**
 * The form field that shows an API field's error: thresholds share one line.
 * @param {string} apiField
 */
function fieldOf(apiField) {
  return ['operator', 'low', 'medium', 'high', 'thresholds'].includes(apiField) ? 'thresholds' : apiField;
}

/**
 * The configuration form of `alert`; `groups` are the email groups;
 * `canEdit` false disables every control and hides Save; `onSaved(row)`
 * runs after a save. Mount it keyed by the alert's id: it keeps what the
 * user typed while the page refreshes.
 * @param {{
 *   alert: AlertConfig, groups: import('../../../lib/alert-admin-api.js').EmailGroup[], canEdit: boolean,
 *   emailReady?: boolean, onSaved?: (row: AlertConfig) => void,
 * }} props
 */
export function AlertForm({ alert, groups, canEdit, emailReady, onSaved }) {
  const [v, setV] = useState(() => valuesOf(alert));
  const [errors, setErrors] = useState(/** @type {FormErrors} */ ({}));
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const setValue = fieldSetter(setV);
  /** @param {keyof Values & string} name */
  const set = (name) => (/** @type {Event} */ e) => {
    setValue(name)(e);
    setStatus('');
  };
  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    const { patch, errors: local } = patchOf(v, alert);
    setStatus('');
    if (Object.keys(local).length > 0) return setErrors(local);
    setBusy(true);
    setErrors({});
    try {
      const row = await patchAlertConfig(alert.id, patch);
      setV(valuesOf(row));
      setStatus(`Saved at ${new Date().toLocaleTimeString()}.`);
      onSaved?.(row);
    } catch (err) {
      setErrors(errorsOf(err, fieldOf, ADMINS_ONLY));
    } finally {
      setBusy(false);
    }
  };
  /** @param {string} name */
  const bad = (name) => (errors[name] ? 'true' : undefined);
  /** @param {(typeof NUMBERS)[number]} name @param {string} label */
  const num = (name, label) => html`<label>${label}
    <input id=${`${P}-${name}`} type="number" step="any" value=${v[name]} onInput=${set(name)}
      aria-invalid=${bad(fieldOf(name))} /></label>`;
  /** @param {'enabled' | 'notifyWebhooks' | 'notifyEmail' | 'flapDetection'} name @param {string} label */
  const check = (name, label) => html`<label class="check">
    <input id=${`${P}-${name}`} type="checkbox" checked=${v[name]} onChange=${set(name)} /> ${label}</label>`;
  return html`<form id="alert-form" class="admin-form" noValidate onSubmit=${submit}>
    <fieldset disabled=${!canEdit || busy}>
      <div class="form-row">${check('enabled', 'Enabled')}</div>
      <div class="form-row">
        <label>Operator <select id=${`${P}-operator`} value=${v.operator} onChange=${set('operator')} aria-invalid=${bad('thresholds')}>
          <option value=">">${'> (raise when above)'}</option><option value="<">${'< (raise when below)'}</option>
        </select></label>
        ${num('low', 'Low')} ${num('medium', 'Medium')} ${num('high', 'High')}
        <${FieldError} prefix=${P} name="thresholds" errors=${errors} />
      </div>
      <div class="form-row">
        ${num('intervalS', 'Check every (s)')}
        <${FieldError} prefix=${P} name="intervalS" errors=${errors} />
      </div>
      <div class="form-row">
        <label class="wide">Parameter overrides (JSON, merged over the template's)
          <textarea id=${`${P}-params`} rows="2" value=${v.params} onInput=${set('params')}
            placeholder=${JSON.stringify(alert.template_params ?? {})} aria-invalid=${bad('params')}></textarea></label>
        <${FieldError} prefix=${P} name="params" errors=${errors} />
      </div>
      <h4>Notifications</h4>
      <div class="form-row">
        ${check('notifyWebhooks', 'Webhooks (every enabled webhook for the level)')}
        ${check('notifyEmail', 'Email to')}
        <label><select id=${`${P}-emailGroupId`} value=${v.emailGroupId} onChange=${set('emailGroupId')} aria-invalid=${bad('emailGroupId')}>
          <option value="">the default group</option>
          ${groups.map((g) => html`<option key=${g.id} value=${String(g.id)}>${g.name}</option>`)}
        </select></label>
        <${FieldError} prefix=${P} name="emailGroupId" errors=${errors} />
        ${
          emailReady === false
            ? html`<p class="warn" id="alert-email-unconfigured" role="note">Email is not configured: no SMTP server is set up, so ${v.notifyEmail ? 'this alert emails nobody although email is ticked' : 'no alert emails anyone'}. An administrator sets one up on the <a href=${href.alerts('email')}>Email</a> tab.</p>`
            : ''
        }
      </div>
      <div class="form-row">
        ${num('reminderS', 'Remind every (s; 0 = never)')}
        <${FieldError} prefix=${P} name="reminderS" errors=${errors} />
        ${check('flapDetection', 'Detect and damp flapping')}
      </div>
      ${canEdit ? html`<div class="form-row"><button type="submit" id="alert-save">Save</button></div>` : ''}
    </fieldset>
    <${FormResult} prefix=${P} errors=${errors} status=${status} />
  </form>`;
}
