// @ts-check
// Form plumbing for the administration forms: errors of a failed save
// split into "next to this field" (a 400 naming the field) and "about the
// whole form" (403, 503, anything else), and the elements that show them.
import { ApiError, errorText } from '../lib/api.js';
import { html } from '../lib/html.js';

/** Key of the errors that belong to the whole form, not to one field. */
export const FORM = '_form';

/** Field -> message; {@link FORM} for the whole form. @typedef {Record<string, string>} FormErrors */

/**
 * The errors of a failed save: a 400 that names a field goes to
 * `fieldOf(field)` (the form's field that shows it), everything else to
 * {@link FORM}, in errorText's words (`forbidden` added to a 403).
 * @param {unknown} err
 * @param {(field: string) => string} [fieldOf]
 * @param {string} [forbidden]
 * @returns {FormErrors}
 */
export function errorsOf(err, fieldOf = (f) => f, forbidden = '') {
  if (err instanceof ApiError && err.status === 400 && err.field)
    return { [fieldOf(err.field)]: err.message };
  return { [FORM]: errorText(err, { forbidden }) };
}

/**
 * The message for `name` in `errors` (id `<prefix>-error-<name>`), hidden when there is none.
 * @param {{ prefix: string, name: string, errors: FormErrors }} props
 */
export function FieldError({ prefix, name, errors }) {
  const m = errors[name];
  return html`<span class="field-error" id=${`${prefix}-error-${name}`} role="alert" hidden=${!m}>${m ?? ''}</span>`;
}

/**
 * A form's result line: its error (id `<prefix>-form-error`) or a note such as "Saved" (`<prefix>-form-status`).
 * @param {{ prefix: string, errors: FormErrors, status: string }} props
 */
export function FormResult({ prefix, errors, status }) {
  return html`<p class="form-result">
    <span class="error" id=${`${prefix}-form-error`} role="alert" hidden=${!errors[FORM]}>${errors[FORM] ?? ''}</span>
    <span class="ok-text" id=${`${prefix}-form-status`} role="status" hidden=${!status}>${status}</span>
  </p>`;
}

/**
 * Parses a number input: {value} or {error} ('' is "a number is needed").
 * @param {string} text
 * @returns {{ value: number, error?: undefined } | { value?: undefined, error: string }}
 */
export function parseNumber(text) {
  const t = String(text).trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n)) return { error: 'a number is needed' };
  return { value: n };
}

/**
 * The change handler of a form's inputs: sets `name` in the form's values to
 * the input's value (its checked state for a checkbox).
 * @template {Record<string, unknown>} V
 * @param {(update: (values: V) => V) => void} setValues
 * @returns {(name: keyof V & string) => (e: Event) => void}
 */
export function fieldSetter(setValues) {
  return (name) => (e) => {
    const t = /** @type {HTMLInputElement} */ (e.currentTarget);
    const value = t.type === 'checkbox' ? t.checked : t.value;
    setValues((x) => ({ ...x, [name]: value }));
  };
}
