// @ts-check
// The form that starts a maintenance window (pem_admin): what it covers (a
// server, an agent and its servers, the servers of a tag, the whole fleet),
// when (now for a length, from/until, or weekly on weekdays at a local time
// in a time zone, for a length) and why. The server's message for a bad
// field (an unknown time zone, an end already past...) shows next to it.
import { useAdminForm } from '../../components/admin-form.js';
import { FieldError, FormResult, parseNumber } from '../../components/form-fields.js';
import { html } from '../../lib/html.js';
import { startMaintenance } from '../../lib/maintenance-api.js';

/** @typedef {import('../../components/form-fields.js').FormErrors} FormErrors */
/** @typedef {import('../../lib/api.js').Fleet} Fleet */
/**
 * @typedef {{
 *   scope: 'server' | 'agent' | 'group' | 'fleet', serverId: string, agentId: string, group: string,
 *   schedule: 'now' | 'once' | 'weekly', lengthMin: string, startsAt: string, endsAt: string,
 *   days: boolean[], startTime: string, timeZone: string, reason: string,
 * }} Values
 */

const P = 'maintenance';
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
export const ADMINS_ONLY = 'Only pem_admin members start and stop maintenance windows.';

/** The API field -> the form's field that shows its error. @param {string} f */
const fieldOf = (f) =>
  ({ durationS: 'lengthMin', weekdays: 'days', startTime: 'startTime', schedule: 'schedule' })[f] ?? f;

/**
 * The request body of the values, or the errors found before sending.
 * @param {Values} v
 */
export function bodyOf(v) {
  /** @type {FormErrors} */
  const errors = {};
  /** @type {Record<string, unknown>} */
  const body = { scope: v.scope, reason: v.reason.trim() };
  if (v.scope === 'server') body.serverId = Number(v.serverId);
  if (v.scope === 'agent') body.agentId = Number(v.agentId);
  if (v.scope === 'group') body.group = v.group.trim();
  if (v.scope === 'server' && !v.serverId) errors.serverId = 'choose a server';
  if (v.scope === 'agent' && !v.agentId) errors.agentId = 'choose an agent';
  if (body.reason === '') errors.reason = 'say why';
  const minutes = parseNumber(v.lengthMin);
  if (v.schedule !== 'once' || v.endsAt === '') {
    if (minutes.error !== undefined) errors.lengthMin = minutes.error;
    else body.durationS = Math.round(minutes.value * 60);
  }
  if (v.schedule === 'once') {
    if (v.startsAt === '') errors.startsAt = 'when does it start?';
    else body.startsAt = new Date(v.startsAt).toISOString();
    if (v.endsAt !== '') body.endsAt = new Date(v.endsAt).toISOString();
  }
  if (v.schedule === 'weekly') {
    body.schedule = 'weekly';
    body.weekdays = v.days.flatMap((on, i) => (on ? [i + 1] : []));
    body.startTime = v.startTime;
    body.timeZone = v.timeZone.trim();
  }
  return { body, errors };
}

/**
 * Starts a window over `fleet`'s servers and agents; `onStarted()` after it.
 * @param {{ fleet: Fleet | undefined, onStarted: () => void }} props
 */
export function MaintenanceForm({ fleet, onStarted }) {
  const form = useAdminForm({
    prefix: P,
    initial: /** @type {Values} */ ({
      scope: 'server',
      serverId: '',
      agentId: '',
      group: '',
      schedule: 'now',
      lengthMin: '120',
      startsAt: '',
      endsAt: '',
      days: [false, false, false, false, false, false, true],
      startTime: '02:00',
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      reason: '',
    }),
    validate: bodyOf,
    save: async (body) => {
      const w = await startMaintenance(/** @type {any} */ (body));
      form.setV((x) => ({ ...x, reason: '' }));
      onStarted();
      return `Window ${w.id} on ${w.target}: ${w.status}.`;
    },
    fieldOf,
    forbidden: ADMINS_ONLY,
    stayOpen: true,
  });
  const { v, setV, set, errors, status, busy, submit, bad } = form;
  /** @param {number} i */
  const toggleDay = (i) => () => setV((x) => ({ ...x, days: x.days.map((d, j) => (j === i ? !d : d)) }));
  return html`<form id="maintenance-form" class="admin-form card-form" noValidate onSubmit=${submit}>
    <h3>Start a maintenance window</h3>
    <p class="muted">Alerts on what it covers keep being evaluated and recorded, but notify nobody while it lasts;
      an alert still raised at its end notifies then, once.</p>
    <fieldset disabled=${busy}>
      <div class="form-row">
        <label>Covers <select id=${`${P}-scope`} value=${v.scope} onChange=${set('scope')}>
          <option value="server">a server</option><option value="agent">an agent (its host and its servers)</option>
          <option value="group">the servers of a tag</option><option value="fleet">the whole fleet</option></select></label>
        ${
          v.scope === 'server'
            ? html`<label>Server <select id=${`${P}-serverId`} value=${v.serverId} onChange=${set('serverId')} aria-invalid=${bad('serverId')}>
                <option value="">—</option>
                ${(fleet?.servers ?? []).map((s) => html`<option key=${s.id} value=${String(s.id)}>${s.name}</option>`)}</select></label>`
            : ''
        }
        ${
          v.scope === 'agent'
            ? html`<label>Agent <select id=${`${P}-agentId`} value=${v.agentId} onChange=${set('agentId')} aria-invalid=${bad('agentId')}>
                <option value="">—</option>
                ${(fleet?.agents ?? []).map((a) => html`<option key=${a.id} value=${String(a.id)}>${a.name}</option>`)}</select></label>`
            : ''
        }
        ${
          v.scope === 'group'
            ? html`<label>Tag <input id=${`${P}-group`} value=${v.group} onInput=${set('group')} aria-invalid=${bad('group')} /></label>`
            : ''
        }
        <${FieldError} prefix=${P} name="scope" errors=${errors} />
        <${FieldError} prefix=${P} name="serverId" errors=${errors} />
        <${FieldError} prefix=${P} name="agentId" errors=${errors} />
        <${FieldError} prefix=${P} name="group" errors=${errors} />
      </div>
      <div class="form-row">
        <label>When <select id=${`${P}-schedule`} value=${v.schedule} onChange=${set('schedule')}>
          <option value="now">from now</option><option value="once">from … until …</option>
          <option value="weekly">every week</option></select></label>
        ${
          v.schedule === 'once'
            ? html`<label>From <input id=${`${P}-startsAt`} type="datetime-local" value=${v.startsAt} onInput=${set('startsAt')} aria-invalid=${bad('startsAt')} /></label>
              <${FieldError} prefix=${P} name="startsAt" errors=${errors} />
              <label>Until <input id=${`${P}-endsAt`} type="datetime-local" value=${v.endsAt} onInput=${set('endsAt')} aria-invalid=${bad('endsAt')} /></label>
              <${FieldError} prefix=${P} name="endsAt" errors=${errors} />`
            : ''
        }
        ${
          v.schedule === 'weekly'
            ? html`<span id=${`${P}-days`}>${DAY_NAMES.map(
                (d, i) =>
                  html`<label class="check" key=${d}><input type="checkbox" id=${`${P}-day-${i + 1}`} checked=${v.days[i]} onChange=${toggleDay(i)} /> ${d}</label>`,
              )}</span>
              <${FieldError} prefix=${P} name="days" errors=${errors} />
              <label>At <input id=${`${P}-startTime`} type="time" value=${v.startTime} onInput=${set('startTime')} aria-invalid=${bad('startTime')} /></label>
              <${FieldError} prefix=${P} name="startTime" errors=${errors} />
              <label>Time zone <input id=${`${P}-timeZone`} value=${v.timeZone} onInput=${set('timeZone')} aria-invalid=${bad('timeZone')} /></label>
              <${FieldError} prefix=${P} name="timeZone" errors=${errors} />`
            : ''
        }
        ${
          v.schedule !== 'once' || v.endsAt === ''
            ? html`<label>For (minutes) <input id=${`${P}-lengthMin`} type="number" step="1" min="1" value=${v.lengthMin} onInput=${set('lengthMin')} aria-invalid=${bad('lengthMin')} /></label>
              <${FieldError} prefix=${P} name="lengthMin" errors=${errors} />`
            : ''
        }
      </div>
      <div class="form-row">
        <label class="wide">Reason <input id=${`${P}-reason`} value=${v.reason} onInput=${set('reason')} aria-invalid=${bad('reason')}
          placeholder="patch night: kernel update, planned switchover…" /></label>
        <${FieldError} prefix=${P} name="reason" errors=${errors} />
      </div>
      <div class="form-row"><button type="submit" id="maintenance-start">Start</button></div>
    </fieldset>
    <${FormResult} prefix=${P} errors=${errors} status=${status} />
  </form>`;
}
