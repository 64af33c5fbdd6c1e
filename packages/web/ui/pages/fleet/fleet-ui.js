// @ts-check
// Small pieces the fleet pages share: who may change the fleet (the note
// read-only users see, the words added to a 403), tags typed as text, an
// agent's heartbeat as a badge, the agents a form offers, and the remove
// button that asks to confirm and says what happens to the history.
import { Badge } from '../../components/badges.js';
import { errorText } from '../../lib/api.js';
import { duration } from '../../lib/format.js';
import { html, useState } from '../../lib/html.js';

/** @typedef {import('../../lib/fleet-api.js').FleetAgentView} FleetAgentView */

/** Who may change the fleet: added to the words of a 403 (lib/api.js errorText). */
export const ADMINS_ONLY = 'Only members of pem_admin may change the fleet.';

/** @param {unknown} err */
export const failure = (err) => errorText(err, { forbidden: ADMINS_ONLY });

/**
 * The note read-only users see instead of the forms and buttons.
 * @param {{ canEdit: boolean }} props
 */
export function ReadOnlyNote({ canEdit }) {
  return canEdit
    ? ''
    : html`<p class="muted read-only" id="fleet-read-only">Read only: only members of pem_admin may add, change or remove servers, clusters, agents and enrolment tokens.</p>`;
}

/**
 * Tags typed as "a, b c": the distinct words, in their order.
 * @param {string} text
 * @returns {string[]}
 */
export function parseTags(text) {
  return [...new Set(text.split(/[\s,]+/).filter((t) => t !== ''))];
}

/**
 * Tags as badges.
 * @param {{ tags: readonly string[] }} props
 */
export function Tags({ tags }) {
  return html`${tags.map((t) => html`<${Badge} key=${t} tone="info" text=${t} class="tag" /> `)}`;
}

/** A heartbeat older than this is stale (three default probe intervals), seconds. */
export const STALE_HEARTBEAT_S = 60;

/**
 * The heartbeat of an agent: "12 s ago" (ok), stale (warn), or never (off).
 * @param {{ ageS: number | null }} props
 */
export function Heartbeat({ ageS }) {
  if (ageS === null) return html`<${Badge} tone="off" text="never" />`;
  const text = `${duration(ageS)} ago`;
  return html`<${Badge} tone=${ageS <= STALE_HEARTBEAT_S ? 'ok' : 'warn'} text=${text} />`;
}

/**
 * The agents a form offers: active ones, "name (user, address)", heartbeat age when stale.
 * @param {FleetAgentView} a
 */
export function agentLabel(a) {
  const where = [a.user, a.hostAddress].filter(Boolean).join(', ');
  const stale =
    a.heartbeatAgeS === null
      ? ' — never heard from'
      : a.heartbeatAgeS > STALE_HEARTBEAT_S
        ? ` — last heartbeat ${duration(a.heartbeatAgeS)} ago`
        : '';
  return `${a.displayName} (${where})${stale}`;
}

/**
 * Remove with a confirmation step: the first click shows what will go (and
 * that the history stays until retention unless "also delete its history"
 * is ticked), the second removes. `what` names the object ("server db-1").
 * @param {{ what: string, idPrefix: string, gone: string, onRemove: (purgeHistory: boolean) => Promise<void>, onError: (text: string) => void }} props
 */
export function RemoveButton({ what, idPrefix, gone, onRemove, onError }) {
  const [asking, setAsking] = useState(false);
  const [purge, setPurge] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking)
    return html`<button type="button" class=${`small ${idPrefix}-remove`} onClick=${() => setAsking(true)}>Remove</button>`;
  const go = async () => {
    setBusy(true);
    try {
      await onRemove(purge);
    } catch (err) {
      onError(failure(err));
      setBusy(false);
      setAsking(false);
    }
  };
  return html`<span class="confirm-remove" role="group" aria-label=${`Remove ${what}`}>
    <span class="confirm-text">Remove ${what}? ${gone} Its history stays until retention removes it${
      purge ? html`: <strong>no, it is deleted now</strong>` : ' unless you delete it now'
    }.</span>
    <label class="check"><input type="checkbox" class=${`${idPrefix}-purge`} checked=${purge}
      onChange=${(/** @type {Event} */ e) => setPurge(/** @type {HTMLInputElement} */ (e.currentTarget).checked)} /> also delete its history</label>
    <button type="button" class=${`small danger ${idPrefix}-confirm`} disabled=${busy} onClick=${go}>Remove</button>
    <button type="button" class=${`small ${idPrefix}-cancel`} disabled=${busy} onClick=${() => setAsking(false)}>Keep</button>
  </span>`;
}
