// @ts-check
// The state and the submit of an administration form (alert template,
// webhook, SMTP settings, email group, maintenance window), written once:
// the values, the errors (found before sending, or the server's: next to
// the field it names, else about the whole form), busy while saving, the
// result line, and the inputs that show a field's value and its error.
import { html, useState } from '../lib/html.js';
import { errorsOf, FieldError, fieldSetter } from './form-fields.js';

/** @typedef {import('./form-fields.js').FormErrors} FormErrors */

/**
 * An administration form's state and handlers.
 * - `validate(v)`: the request body, or the errors found before sending
 *   (none sent then); without it the values are the body.
 * - `save(body)`: sends it; resolves to the result line to show (e.g.
 *   "Saved."), or nothing. A failure shows its errors (errorsOf with
 *   `fieldOf` and `forbidden`, the 403 sentence) and enables the form again.
 * - `stayOpen`: the form stays after a save (enabled again); otherwise it
 *   stays disabled, its owner closing it (`onSaved`).
 * - `clearStatus`: a submit first clears the last result line.
 * Returns the values and their setter, `set(name)` (an input's change
 * handler), errors, busy, status, `submit` (the form's onSubmit), `bad(name)`
 * (aria-invalid), and `text(name, label, attrs)` / `check(name, label)`: a
 * labelled input (ids `<prefix>-<name>`) with its error, a labelled checkbox.
 * @template {Record<string, any>} V
 * @param {{
 *   prefix: string,
 *   initial: V | (() => V),
 *   validate?: (v: V) => { body: Record<string, unknown>, errors: FormErrors },
 *   save: (body: Record<string, unknown>) => Promise<string | void>,
 *   fieldOf?: (field: string) => string,
 *   forbidden: string,
 *   stayOpen?: boolean,
 *   clearStatus?: boolean,
 * }} opts
 */
export function useAdminForm(opts) {
  const [v, setV] = useState(opts.initial);
  const [errors, setErrors] = useState(/** @type {FormErrors} */ ({}));
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const set = fieldSetter(setV);
  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    if (opts.clearStatus) setStatus('');
    const { body, errors: local } = opts.validate ? opts.validate(v) : { body: v, errors: {} };
    if (Object.keys(local).length > 0) return setErrors(local);
    setBusy(true);
    setErrors({});
    try {
      const note = await opts.save(body);
      if (note) setStatus(note);
      if (opts.stayOpen) setBusy(false);
    } catch (err) {
      setErrors(errorsOf(err, opts.fieldOf, opts.forbidden));
      setBusy(false);
    }
  };
  /** @param {string} name */
  const bad = (name) => (errors[name] ? 'true' : undefined);
  /** @param {keyof V & string} name @param {unknown} label @param {Record<string, unknown>} [attrs] */
  const text = (name, label, attrs = {}) => html`<label>${label}
    <input id=${`${opts.prefix}-${name}`} value=${v[name]} onInput=${set(name)} aria-invalid=${bad(name)} ...${attrs} /></label>
    <${FieldError} prefix=${opts.prefix} name=${name} errors=${errors} />`;
  /** @param {keyof V & string} name @param {unknown} label */
  const check = (name, label) => html`<label class="check">
    <input id=${`${opts.prefix}-${name}`} type="checkbox" checked=${v[name]} onChange=${set(name)} /> ${label}</label>`;
  return { v, setV, set, errors, busy, status, submit, bad, text, check };
}
