// The configuration form of one alert: enabled, operator, Low/Medium/High
// thresholds, interval, parameter overrides and notification settings
// (webhooks, email group, reminders, flapping). The server validates
// (thresholds in order, whole seconds...) and its message shows next to the
// field at fault. Read-only users see the values with every control disabled.

import { errorsOf, FieldError, FormResult, parseNumber } from '../../../components/form-fields.js';
import { patchAlertConfig } from '../../../lib/alert-admin-api.js';
import { html, useState } from '../../../lib/html.js';

const P = 'alert';
const LABELS = { low: 'low', medium: 'medium', high: 'high', intervalS: 'interval', reminderS: 'reminder' };

/** The form's values (strings for inputs) from a row of pem.alert_overview. */
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

/** The PATCH body of the form's values, or the input errors found before sending. */
function patchOf(v) {
  const errors = {};
  const patch = {
    enabled: v.enabled,
    operator: v.operator,
    notifyWebhooks: v.notifyWebhooks,
    notifyEmail: v.notifyEmail,
    emailGroupId: v.emailGroupId === '' ? null : Number(v.emailGroupId),
    flapDetection: v.flapDetection,
  };
  for (const k of ['low', 'medium', 'high', 'intervalS', 'reminderS']) {
    const n = parseNumber(v[k]);
    if (n.error) errors[fieldOf(k)] = `${LABELS[k]}: ${n.error}`;
    else patch[k] = n.value;
  }
  if (v.params.trim() === '') patch.params = {};
  else {
    try {
      patch.params = JSON.parse(v.params);
    } catch (err) {
      errors.params = `not JSON: ${err.message}`;
    }
  }
  return { patch, errors };
}

/** The form field that shows an API field's error: thresholds share one line. */
function fieldOf(apiField) {
  return ['operator', 'low', 'medium', 'high', 'thresholds'].includes(apiField) ? 'thresholds' : apiField;
}

/**
 * The configuration form of `alert` (a row of pem.alert_overview); `groups`
 * are the email groups; `canEdit` false disables every control and hides
 * Save; `onSaved(row)` runs after a save. Mount it keyed by the alert's id:
 * it keeps what the user typed while the page refreshes.
 */
export function AlertForm({ alert, groups, canEdit, onSaved }) {
  const [v, setV] = useState(() => valuesOf(alert));
  const [errors, setErrors] = useState({});
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => {
    const t = e.currentTarget;
    setV((x) => ({ ...x, [name]: t.type === 'checkbox' ? t.checked : t.value }));
    setStatus('');
  };
  const submit = async (e) => {
    e.preventDefault();
    const { patch, errors: local } = patchOf(v);
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
      setErrors(errorsOf(err, fieldOf));
    } finally {
      setBusy(false);
    }
  };
  const bad = (name) => (errors[name] ? 'true' : undefined);
  const num = (name, label) => html`<label>${label}
    <input id=${`${P}-${name}`} type="number" step="any" value=${v[name]} onInput=${set(name)}
      aria-invalid=${bad(fieldOf(name))} /></label>`;
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
          ${(groups ?? []).map((g) => html`<option key=${g.id} value=${String(g.id)}>${g.name}</option>`)}
        </select></label>
        <${FieldError} prefix=${P} name="emailGroupId" errors=${errors} />
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
