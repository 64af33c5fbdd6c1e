// Form plumbing for the administration forms: errors of a failed save
// split into "next to this field" (a 400 naming the field) and "about the
// whole form" (403, 503, anything else), and the element that shows them.

import { ApiError } from '../lib/api.js';
import { html } from '../lib/html.js';
import { errorText } from '../pages/alerts/alert-ui.js';

/** Key of the errors that belong to the whole form, not to one field. */
export const FORM = '_form';

/**
 * The errors of a failed save as {field: message}: a 400 that names a field
 * goes to `fieldOf(field)` (the form's field that shows it), everything
 * else to {@link FORM}.
 */
export function errorsOf(err, fieldOf = (f) => f) {
  if (err instanceof ApiError && err.status === 400 && err.field)
    return { [fieldOf(err.field)]: err.message };
  return { [FORM]: errorText(err) };
}

/** The message for `name` in `errors` (id `<prefix>-error-<name>`), hidden when there is none. */
export function FieldError({ prefix, name, errors }) {
  const m = errors[name];
  return html`<span class="field-error" id=${`${prefix}-error-${name}`} role="alert" hidden=${!m}>${m ?? ''}</span>`;
}

/** A form's result line: its error (id `<prefix>-form-error`) or a note such as "Saved" (`<prefix>-form-status`). */
export function FormResult({ prefix, errors, status }) {
  return html`<p class="form-result">
    <span class="error" id=${`${prefix}-form-error`} role="alert" hidden=${!errors[FORM]}>${errors[FORM] ?? ''}</span>
    <span class="ok-text" id=${`${prefix}-form-status`} role="status" hidden=${!status}>${status}</span>
  </p>`;
}

/** Parses a number input: {value} or {error} ('' is "a number is needed"). */
export function parseNumber(text) {
  const t = String(text).trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n)) return { error: 'a number is needed' };
  return { value: n };
}
