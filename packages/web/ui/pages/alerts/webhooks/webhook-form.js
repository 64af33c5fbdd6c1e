// @ts-check
// The form that creates or changes a webhook: name, URL, method, headers
// (values are write-only: on a change, leaving them empty keeps the stored
// ones), JSON payload template, the levels it is sent for, timeout, retries
// and TLS verification. The server's message for a bad field (a URL that is
// not http(s), a name already used, an unknown placeholder...) shows next to it.
import { useAdminForm } from '../../../components/admin-form.js';
import { FieldError, FormResult, parseNumber } from '../../../components/form-fields.js';
import { createWebhook, updateWebhook } from '../../../lib/alert-admin-api.js';
import { html } from '../../../lib/html.js';
import { ADMINS_ONLY } from '../alert-ui.js';

/** @typedef {import('../../../lib/alert-admin-api.js').Webhook} Webhook */
/** @typedef {import('../../../components/form-fields.js').FormErrors} FormErrors */
/**
 * The form's values (strings for inputs).
 * @typedef {{
 *   name: string, url: string, method: 'POST' | 'PUT', headers: string, clearHeaders: boolean,
 *   payloadTemplate: string, enabled: boolean, onLow: boolean, onMedium: boolean, onHigh: boolean,
 *   onCleared: boolean, timeoutMs: string, maxRetries: string, tlsVerify: boolean,
 * }} Values
 */

const P = 'webhook';

/**
 * The form's values from a row of pem.webhook_public, or the defaults of a new one.
 * @param {Webhook | undefined} w
 * @returns {Values}
 */
function valuesOf(w) {
  return {
    name: w?.name ?? '',
    url: w?.url ?? '',
    method: w?.method ?? 'POST',
    headers: '',
    clearHeaders: false,
    payloadTemplate: w?.payload_template ? JSON.stringify(w.payload_template, null, 2) : '',
    enabled: w?.enabled ?? true,
    onLow: w?.on_low ?? true,
    onMedium: w?.on_medium ?? true,
    onHigh: w?.on_high ?? true,
    onCleared: w?.on_cleared ?? true,
    timeoutMs: String(w?.timeout_ms ?? 10000),
    maxRetries: String(w?.max_retries ?? 3),
    tlsVerify: w?.tls_verify ?? true,
  };
}

/**
 * Headers from "Name: value" lines: {headers} or {error}.
 * @param {string} text
 * @returns {{ headers: Record<string, string>, error?: undefined } | { headers?: undefined, error: string }}
 */
function parseHeaders(text) {
  /** @type {Record<string, string>} */
  const headers = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { error: `line ${i + 1}: write "Name: value"` };
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { headers };
}

/**
 * The request body of the form's values, or the input errors found before sending.
 * @param {Values} v
 * @param {boolean} isNew
 */
function bodyOf(v, isNew) {
  /** @type {FormErrors} */
  const errors = {};
  /** @type {Record<string, unknown>} */
  const body = {
    name: v.name.trim(),
    url: v.url.trim(),
    method: v.method,
    enabled: v.enabled,
    onLow: v.onLow,
    onMedium: v.onMedium,
    onHigh: v.onHigh,
    onCleared: v.onCleared,
    tlsVerify: v.tlsVerify,
    payloadTemplate: null,
  };
  for (const k of /** @type {const} */ (['timeoutMs', 'maxRetries'])) {
    const n = parseNumber(v[k]);
    if (n.error !== undefined) errors[k] = n.error;
    else body[k] = n.value;
  }
  const h = parseHeaders(v.headers);
  if (h.error !== undefined) errors.headers = h.error;
  else if (Object.keys(h.headers).length > 0 || isNew || v.clearHeaders) body.headers = h.headers;
  if (v.payloadTemplate.trim() !== '') {
    try {
      body.payloadTemplate = JSON.parse(v.payloadTemplate);
    } catch (err) {
      errors.payloadTemplate = `not JSON: ${err instanceof Error ? err.message : err}`;
    }
  }
  return { body, errors };
}

/**
 * Creates (`webhook` undefined) or changes `webhook` (a row of
 * pem.webhook_public); `onSaved(id)` after a save, `onCancel()` to close.
 * @param {{ webhook?: Webhook, onSaved?: (id: number) => void, onCancel: () => void }} props
 */
export function WebhookForm({ webhook, onSaved, onCancel }) {
  const isNew = !webhook;
  const { v, set, errors, busy, submit, bad, text, check } = useAdminForm({
    prefix: P,
    initial: () => valuesOf(webhook),
    validate: (values) => bodyOf(values, isNew),
    save: async (body) => {
      const r = webhook ? await updateWebhook(webhook.id, body) : await createWebhook(body);
      onSaved?.(r.id);
    },
    forbidden: ADMINS_ONLY,
  });
  const names = webhook?.header_names ?? [];
  return html`<form id="webhook-form" class="admin-form card-form" noValidate onSubmit=${submit}>
    <h3>${webhook ? `Change webhook ${webhook.name}` : 'New webhook'}</h3>
    <fieldset disabled=${busy}>
      <div class="form-row">${text('name', 'Name', { required: true })}</div>
      <div class="form-row">
        <label>Method <select id=${`${P}-method`} value=${v.method} onChange=${set('method')}>
          <option value="POST">POST</option><option value="PUT">PUT</option></select></label>
        ${text('url', 'URL', { class: 'url-input', placeholder: 'https://hooks.example.com/pharos' })}
      </div>
      <div class="form-row">
        <label class="wide">Headers, one "Name: value" a line${
          names.length > 0 ? ` (stored: ${names.join(', ')}; values are never shown; empty = keep them)` : ''
        }
          <textarea id=${`${P}-headers`} rows="2" value=${v.headers} onInput=${set('headers')} aria-invalid=${bad('headers')}
            placeholder="Authorization: Bearer …"></textarea></label>
        <${FieldError} prefix=${P} name="headers" errors=${errors} />
        ${names.length > 0 ? check('clearHeaders', 'remove the stored headers') : ''}
      </div>
      <div class="form-row">
        <label class="wide">Payload template (JSON with %Placeholders%; empty = the default payload)
          <textarea id=${`${P}-payloadTemplate`} rows="4" value=${v.payloadTemplate} onInput=${set('payloadTemplate')}
            aria-invalid=${bad('payloadTemplate')} placeholder=${'{"text": "%AlertName% on %ObjectName% is %CurrentState%"}'}></textarea></label>
        <${FieldError} prefix=${P} name="payloadTemplate" errors=${errors} />
      </div>
      <div class="form-row">
        <span class="muted">Send for</span> ${check('onLow', 'low')} ${check('onMedium', 'medium')} ${check('onHigh', 'high')}
        ${check('onCleared', 'cleared')}
      </div>
      <div class="form-row">
        ${text('timeoutMs', 'Timeout (ms)', { type: 'number', step: '1' })}
        ${text('maxRetries', 'Retries', { type: 'number', step: '1' })}
        ${check('tlsVerify', 'verify TLS certificates')} ${check('enabled', 'enabled')}
      </div>
      <div class="form-row">
        <button type="submit" id="webhook-save">${isNew ? 'Create' : 'Save'}</button>
        <button type="button" id="webhook-cancel" onClick=${onCancel}>Cancel</button>
      </div>
    </fieldset>
    <${FormResult} prefix=${P} errors=${errors} status="" />
  </form>`;
}
