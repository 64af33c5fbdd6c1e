// @ts-check
// The SMTP settings: for administrators a form (server, port, security,
// user, sender, TLS verification and CA, timeout); the password is
// write-only: the page only says whether one is stored, and an empty
// password field keeps it. For other users the settings as text (never the
// password). The server's message for a bad field shows next to it.
import { useAdminForm } from '../../../components/admin-form.js';
import { FieldError, FormResult, parseNumber } from '../../../components/form-fields.js';
import { saveSmtp } from '../../../lib/alert-admin-api.js';
import { html } from '../../../lib/html.js';
import { ADMINS_ONLY } from '../alert-ui.js';

/** @typedef {import('../../../lib/alert-admin-api.js').SmtpSettings} SmtpSettings */
/** @typedef {import('../../../components/form-fields.js').FormErrors} FormErrors */
/**
 * The form's values (strings for inputs).
 * @typedef {{
 *   enabled: boolean, host: string, port: string, security: 'starttls' | 'tls' | 'none', userName: string,
 *   password: string, clearPassword: boolean, fromAddress: string, tlsVerify: boolean, tlsCaPem: string, timeoutMs: string,
 * }} Values
 */

const P = 'smtp';

/**
 * The form's values from the stored settings (`{}` when none), never with the password.
 * @param {SmtpSettings} s
 * @returns {Values}
 */
function valuesOf(s) {
  return {
    enabled: s.enabled ?? true,
    host: s.host ?? '',
    port: String(s.port ?? 587),
    security: s.security ?? 'starttls',
    userName: s.user_name ?? '',
    password: '',
    clearPassword: false,
    fromAddress: s.from_address ?? '',
    tlsVerify: s.tls_verify ?? true,
    tlsCaPem: s.tls_ca_pem ?? '',
    timeoutMs: String(s.timeout_ms ?? 15000),
  };
}

/**
 * The request body, or the input errors found before sending. The password
 * is sent only when typed (or null to remove it): omitted keeps the stored one.
 * @param {Values} v
 */
function bodyOf(v) {
  /** @type {FormErrors} */
  const errors = {};
  /** @type {Record<string, unknown>} */
  const body = {
    enabled: v.enabled,
    host: v.host.trim(),
    security: v.security,
    userName: v.userName.trim() === '' ? null : v.userName.trim(),
    fromAddress: v.fromAddress.trim(),
    tlsVerify: v.tlsVerify,
    tlsCaPem: v.tlsCaPem.trim() === '' ? null : v.tlsCaPem,
  };
  for (const k of /** @type {const} */ (['port', 'timeoutMs'])) {
    const n = parseNumber(v[k]);
    if (n.error !== undefined) errors[k] = n.error;
    else body[k] = n.value;
  }
  if (v.clearPassword) body.password = null;
  else if (v.password !== '') body.password = v.password;
  return { body, errors };
}

/**
 * The settings as text, for users who may not change them.
 * @param {{ smtp: SmtpSettings }} props
 */
function SmtpText({ smtp: s }) {
  if (!s.host)
    return html`<p class="muted" id="smtp-none">No SMTP server is configured: alert emails are not sent.</p>`;
  return html`<dl class="facts" id="smtp-settings">
    <dt>Server</dt><dd id="smtp-server">${s.host}:${s.port} (${s.security})</dd>
    <dt>Sender</dt><dd>${s.from_address}</dd>
    <dt>Enabled</dt><dd>${s.enabled ? 'yes' : 'no'}</dd>
    <dt>User</dt><dd>${s.user_name ?? '—'}${s.password_set ? ' (password stored)' : ''}</dd>
  </dl>`;
}

/**
 * The SMTP settings `smtp` (`{}` when none are saved): a form when `canEdit`; `onSaved()` after a save.
 * @param {{ smtp: SmtpSettings, canEdit: boolean, onSaved: () => void }} props
 */
export function SmtpForm({ smtp, canEdit, onSaved }) {
  const form = useAdminForm({
    prefix: P,
    initial: () => valuesOf(smtp),
    validate: bodyOf,
    save: async (body) => {
      await saveSmtp(body);
      form.setV((x) => ({ ...x, password: '', clearPassword: false }));
      onSaved();
      return 'Saved.';
    },
    forbidden: ADMINS_ONLY,
    stayOpen: true,
    clearStatus: true,
  });
  const { v, set, errors, status, busy, submit, bad, text, check } = form;
  if (!canEdit) return html`<${SmtpText} smtp=${smtp} />`;
  return html`<form id="smtp-form" class="admin-form card-form" noValidate onSubmit=${submit}>
    <fieldset disabled=${busy}>
      <div class="form-row">
        ${text('host', 'Server', { placeholder: 'smtp.example.com' })}
        ${text('port', 'Port', { type: 'number', step: '1' })}
        <label>Security <select id=${`${P}-security`} value=${v.security} onChange=${set('security')} aria-invalid=${bad('security')}>
          <option value="starttls">STARTTLS</option><option value="tls">TLS</option><option value="none">none</option></select></label>
        <${FieldError} prefix=${P} name="security" errors=${errors} />
      </div>
      <div class="form-row">
        ${text('fromAddress', 'Sender', { placeholder: 'Pharos <pharos@example.com>' })}
        ${text('userName', 'User (empty = no authentication)', { autocomplete: 'off' })}
        ${text('password', smtp.password_set ? 'Password (stored; empty = keep it)' : 'Password', {
          type: 'password',
          autocomplete: 'new-password',
        })}
        ${smtp.password_set ? check('clearPassword', 'remove the stored password') : ''}
      </div>
      <div class="form-row">
        <label class="wide">CA certificate (PEM) to trust for the server's certificate (empty = the system's)
          <textarea id=${`${P}-tlsCaPem`} rows="3" value=${v.tlsCaPem} onInput=${set('tlsCaPem')}
            aria-invalid=${bad('tlsCaPem')}></textarea></label>
        <${FieldError} prefix=${P} name="tlsCaPem" errors=${errors} />
      </div>
      <div class="form-row">
        ${text('timeoutMs', 'Timeout (ms)', { type: 'number', step: '1' })}
        ${check('tlsVerify', 'verify TLS certificates')} ${check('enabled', 'enabled')}
      </div>
      <div class="form-row"><button type="submit" id="smtp-save">Save SMTP settings</button></div>
    </fieldset>
    <${FormResult} prefix=${P} errors=${errors} status=${status} />
  </form>`;
}
