// @ts-check
// Acknowledging a raised alert (no reminders until its state changes): a
// button for the alerts list and a box with a note for the alert's page.
// Administrators only; others see who acknowledged, if anyone did.
import { Badge } from '../../components/badges.js';
import { acknowledgeAlert } from '../../lib/alert-admin-api.js';
import { ApiError, errorText } from '../../lib/api.js';
import { when } from '../../lib/format.js';
import { html, useState } from '../../lib/html.js';
import { ADMINS_ONLY } from './alert-ui.js';

/** @typedef {import('../../lib/alert-admin-api.js').AlertConfig} AlertConfig */
/** @typedef {{ alert: AlertConfig, canEdit: boolean, onDone?: () => void }} AckProps */

/** @param {AlertConfig} a */
const raised = (a) => a.state !== 'none';

/** @param {unknown} err */
function ackFailure(err) {
  if (err instanceof ApiError && err.status === 409) return 'The alert is not raised any more.';
  return errorText(err, { forbidden: ADMINS_ONLY });
}

/**
 * "acknowledged by alice at …: note", or '' when the alert is not acknowledged.
 * @param {AlertConfig} a
 */
export function ackText(a) {
  if (!a.acknowledged_at) return '';
  return `acknowledged by ${a.acknowledged_by} at ${when(a.acknowledged_at)}${a.ack_note ? `: ${a.ack_note}` : ''}`;
}

/**
 * The list's Acknowledge button for a raised, unacknowledged alert (admins); `onDone` reloads.
 * @param {AckProps} props
 */
export function AckButton({ alert: a, canEdit, onDone }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  if (!canEdit || !raised(a) || a.acknowledged_at) return '';
  const ack = async () => {
    setBusy(true);
    setError('');
    try {
      await acknowledgeAlert(a.id);
      onDone?.();
    } catch (err) {
      setError(ackFailure(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<button type="button" class="small ack-button" disabled=${busy} onClick=${ack}>Acknowledge</button>
    ${error ? html`<span class="error ack-error" role="alert">${error}</span>` : ''}`;
}

/**
 * The alert page's acknowledgement: who and when, or (admins, raised) a note and the button.
 * @param {AckProps} props
 */
export function AckBox({ alert: a, canEdit, onDone }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await acknowledgeAlert(a.id, note.trim());
      setNote('');
      onDone?.();
    } catch (err) {
      setError(ackFailure(err));
    } finally {
      setBusy(false);
    }
  };
  const acked = ackText(a);
  return html`<div id="alert-ack" class="ack-box">
    ${acked ? html`<p id="ack-state" class="badge-line"><${Badge} tone="ok" text="acknowledged" /> ${acked}</p>` : ''}
    ${
      !acked && raised(a) && canEdit
        ? html`<form id="ack-form" class="inline-form" onSubmit=${submit}>
            <label>Note <input id="ack-note" maxLength="500" value=${note}
              onInput=${(/** @type {Event} */ e) => setNote(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
              placeholder="optional: what is being done" /></label>
            <button type="submit" id="ack-submit" disabled=${busy}>Acknowledge</button>
          </form>`
        : ''
    }
    ${!acked && raised(a) && !canEdit ? html`<p class="muted">Not acknowledged.</p>` : ''}
    <p class="error" id="ack-error" role="alert" hidden=${!error}>${error}</p>
  </div>`;
}
