// @ts-check
// The "Add server" form and a server's settings (pem_admin): the agent that
// monitors it, display name, host, port, maintenance database, monitoring
// user, sslmode (verify-full unless the DBA decides otherwise, each mode
// explained), the CA file on the agent's host, tags and notes.
//
// "Test connection" has that agent connect exactly as its monitor would
// (POST /api/servers/test) and shows the cause in a sentence; "What the
// server needs" shows the role, HBA rule and passfile line for that agent
// (POST /api/servers/prepare). Saving tests first: the API answers 422
// PHAROS_SERVER_TEST_FAILED with the failed test, shown the same way, and registers nothing. A 400 names
// the field, shown next to it.
import { FieldError, FORM, FormResult, fieldSetter } from '../../../components/form-fields.js';
import { CAUSE_TEXT, SSLMODE_TEXT, SSLMODES } from '../../../contract/fleet.js';
import { ApiError } from '../../../lib/api.js';
import { addServer, changeServer, prepareServer, testConnection } from '../../../lib/fleet-api.js';
import { html, useState } from '../../../lib/html.js';
import { agentLabel, failure, parseTags } from '../fleet-ui.js';
import { Preparation } from './preparation.js';
import { TestAnswer } from './test-answer.js';

/** @typedef {import('../../../lib/fleet-api.js').MonitoredServer} MonitoredServer */
/** @typedef {import('../../../lib/fleet-api.js').FleetAgentView} FleetAgentView */
/** @typedef {import('../../../lib/fleet-api.js').TestConnectionResult} TestConnectionResult */
/** @typedef {import('../../../lib/fleet-api.js').ServerConnection} ServerConnection */
/** @typedef {import('../../../lib/fleet-api.js').Sslmode} Sslmode */
/** @typedef {import('../../../components/form-fields.js').FormErrors} FormErrors */
/**
 * The form's values (strings for inputs).
 * @typedef {{
 *   agentId: string, displayName: string, host: string, port: string, maintenanceDb: string,
 *   user: string, sslmode: Sslmode, sslrootcert: string, tags: string, notes: string,
 * }} Values
 */

const P = 'server';

/**
 * The values of `s`, or a new server's defaults (the only agent preselected when there is one).
 * @param {MonitoredServer | undefined} s
 * @param {FleetAgentView[]} agents
 * @returns {Values}
 */
function valuesOf(s, agents) {
  const only = agents.length === 1 ? String(agents[0]?.id) : '';
  return {
    agentId: s ? String(s.agentId ?? '') : only,
    displayName: s?.displayName ?? '',
    host: s?.host ?? '',
    port: String(s?.port ?? 5432),
    maintenanceDb: s?.maintenanceDb ?? 'postgres',
    user: s?.user ?? '',
    sslmode: s?.sslmode ?? 'verify-full',
    sslrootcert: s?.sslrootcert ?? '',
    tags: (s?.tags ?? []).join(', '),
    notes: s?.notes ?? '',
  };
}

/**
 * The connection of the form's values, or the errors found before asking the API.
 * @param {Values} v
 * @returns {{ connection: ServerConnection, errors: FormErrors }}
 */
function connectionOf(v) {
  /** @type {FormErrors} */
  const errors = {};
  const port = Number(v.port.trim());
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    errors.port = 'a port is a whole number from 1 to 65535';
  const agentId = Number(v.agentId);
  if (!v.agentId) errors.agentId = 'choose the agent that will monitor this server';
  if (v.host.trim() === '') errors.host = 'the server’s address or DNS name is needed';
  if (v.user.trim() === '') errors.user = 'the monitoring role is needed';
  return {
    connection: {
      host: v.host.trim(),
      port,
      maintenanceDb: v.maintenanceDb.trim() || 'postgres',
      user: v.user.trim(),
      sslmode: v.sslmode,
      sslrootcert: v.sslrootcert.trim() || null,
      agentId,
    },
    errors,
  };
}

/**
 * The fields of a PATCH: those that differ from `s`.
 * @param {MonitoredServer} s
 * @param {ServerConnection} c
 * @param {Values} v
 */
function changesOf(s, c, v) {
  /** @type {Record<string, unknown>} */
  const all = {
    ...c,
    displayName: v.displayName.trim(),
    tags: parseTags(v.tags),
    notes: v.notes,
  };
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [k, x] of Object.entries(all)) {
    const was = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (s))[k];
    if (JSON.stringify(was) !== JSON.stringify(x)) out[k] = x;
  }
  return out;
}

/** The form's fields: an error naming one of them shows next to it. */
const FIELDS = new Set([
  'agentId',
  'displayName',
  'host',
  'port',
  'maintenanceDb',
  'user',
  'sslmode',
  'sslrootcert',
  'tags',
  'notes',
]);

/**
 * The errors of a refused test or save: next to the field the API names (a
 * 400, a 404 unknown agent, a 409 duplicate host:port or name), else about
 * the whole form.
 * @param {unknown} err
 * @returns {FormErrors}
 */
function errorsOfSave(err) {
  if (err instanceof ApiError && err.field && FIELDS.has(err.field) && err.status >= 400 && err.status < 500)
    return { [err.field]: err.message };
  return { [FORM]: failure(err) };
}

/**
 * Adds a server (`server` undefined) or changes `server`; `onSaved(server)`
 * after a save, `onCancel()` to leave.
 * @param {{ server?: MonitoredServer, agents: FleetAgentView[], onSaved: (s: MonitoredServer) => void, onCancel: () => void }} props
 */
export function ServerForm({ server, agents, onSaved, onCancel }) {
  const [v, setV] = useState(() => valuesOf(server, agents));
  const [errors, setErrors] = useState(/** @type {FormErrors} */ ({}));
  const [busy, setBusy] = useState(/** @type {'' | 'test' | 'prepare' | 'save'} */ (''));
  const [test, setTest] = useState(/** @type {TestConnectionResult | undefined} */ (undefined));
  const [prep, setPrep] = useState(
    /** @type {import('../../../lib/fleet-api.js').Preparation | undefined} */ (undefined),
  );
  const [status, setStatus] = useState('');
  const set = fieldSetter(setV);
  const agentName = (/** @type {number} */ id) => agents.find((a) => a.id === id)?.displayName;

  /** A test's failure marks the field its cause points at. @param {TestConnectionResult} r */
  const showTest = (r) => {
    setTest(r);
    const field = r.ok ? null : CAUSE_TEXT[r.cause ?? 'other'].field;
    setErrors(field ? { [field]: CAUSE_TEXT[r.cause ?? 'other'].title } : {});
  };
  /**
   * Runs `what` with the form's connection, unless the form has errors first.
   * @param {'test' | 'prepare' | 'save'} kind
   * @param {(c: ServerConnection) => Promise<void>} what
   */
  const run = async (kind, what) => {
    const { connection, errors: local } = connectionOf(v);
    if (kind === 'save' && v.displayName.trim() === '') local.displayName = 'a display name is needed';
    setStatus('');
    if (Object.keys(local).length > 0) return setErrors(local);
    setErrors({});
    // a new test (or the test of a save) replaces the last answer
    if (kind !== 'prepare') setTest(undefined);
    setBusy(kind);
    try {
      await what(connection);
    } catch (err) {
      // 422 PHAROS_SERVER_TEST_FAILED: the test before the save failed (nothing was written)
      const failed =
        err instanceof ApiError && err.code === 'PHAROS_SERVER_TEST_FAILED' ? err.body.test : undefined;
      if (failed) showTest(/** @type {TestConnectionResult} */ (failed));
      else {
        setTest(undefined);
        setErrors(errorsOfSave(err));
      }
    } finally {
      setBusy('');
    }
  };
  const onTest = () =>
    run('test', async (c) => {
      setPrep(undefined);
      showTest(await testConnection(c));
    });
  const onPrepare = () =>
    run('prepare', async (c) => {
      setPrep(await prepareServer(c));
    });
  /** @param {Event} e */
  const onSubmit = (e) => {
    e.preventDefault();
    return run('save', async (c) => {
      if (server) {
        const changes = changesOf(server, c, v);
        if (Object.keys(changes).length === 0) return setStatus('Nothing changed.');
        const r = await changeServer(server.id, changes);
        if (r.test) setTest(r.test);
        onSaved(r.server);
      } else {
        const r = await addServer({
          ...c,
          displayName: v.displayName.trim(),
          tags: parseTags(v.tags),
          notes: v.notes,
        });
        onSaved(r.server);
      }
    });
  };

  /** @param {string} name */
  const bad = (name) => (errors[name] ? 'true' : undefined);
  /** @param {'displayName' | 'host' | 'port' | 'maintenanceDb' | 'user' | 'sslrootcert' | 'tags'} name @param {string} label @param {Record<string, string | boolean>} [attrs] */
  const text = (name, label, attrs = {}) => html`<label>${label}
    <input id=${`${P}-${name}`} name=${name} value=${v[name]} onInput=${set(name)} aria-invalid=${bad(name)} ...${attrs} /></label>
    <${FieldError} prefix=${P} name=${name} errors=${errors} />`;
  const active = agents.filter((a) => a.active || String(a.id) === v.agentId);
  const editingBackend = server?.isPemBackend === true;
  return html`<form id="server-form" class="admin-form card-form" noValidate onSubmit=${onSubmit}>
    <h3>${server ? `Server ${server.displayName}` : 'Add server'}</h3>
    ${
      editingBackend
        ? html`<p class="muted">A PEM backend: its connection is set by <code>pharos configure</code> on the backends.</p>`
        : ''
    }
    <fieldset disabled=${busy !== ''}>
      <div class="form-row">
        <label>Monitored by
          <select id=${`${P}-agentId`} name="agentId" value=${v.agentId} onChange=${set('agentId')} aria-invalid=${bad('agentId')}>
            <option value="">— choose the agent —</option>
            ${active.map((a) => html`<option key=${a.id} value=${String(a.id)}>${agentLabel(a)}</option>`)}
          </select></label>
        <${FieldError} prefix=${P} name="agentId" errors=${errors} />
        ${text('displayName', 'Display name', { required: true, placeholder: 'orders-db-1', maxLength: '63' })}
      </div>
      <div class="form-row">
        ${text('host', 'Host (as the agent reaches it)', { required: true, placeholder: 'db1.example.com' })}
        ${text('port', 'Port', { type: 'number', min: '1', max: '65535', step: '1' })}
        ${text('maintenanceDb', 'Maintenance database')}
        ${text('user', 'Monitoring role', { required: true, placeholder: 'pem_monitor' })}
      </div>
      <div class="form-row">
        <label>TLS (sslmode)
          <select id=${`${P}-sslmode`} name="sslmode" value=${v.sslmode} onChange=${set('sslmode')} aria-invalid=${bad('sslmode')}>
            ${SSLMODES.map((m) => html`<option key=${m} value=${m}>${m}</option>`)}
          </select></label>
        <${FieldError} prefix=${P} name="sslmode" errors=${errors} />
        <span class="muted sslmode-text" id=${`${P}-sslmode-text`}>${SSLMODE_TEXT[v.sslmode]}</span>
      </div>
      <div class="form-row">
        ${text('sslrootcert', 'CA file on the agent’s host (empty: the agent’s server_sslrootcert)', { class: 'path-input' })}
      </div>
      <div class="form-row">
        ${text('tags', 'Tags (comma or space separated)', { placeholder: 'prod, orders' })}
        <label class="wide">Notes
          <textarea id=${`${P}-notes`} name="notes" rows="2" value=${v.notes} onInput=${set('notes')} aria-invalid=${bad('notes')}></textarea></label>
        <${FieldError} prefix=${P} name="notes" errors=${errors} />
      </div>
      <div class="form-row">
        <button type="button" id=${`${P}-test-button`} onClick=${onTest}>${busy === 'test' ? 'Testing…' : 'Test connection'}</button>
        <button type="button" id=${`${P}-prepare-button`} onClick=${onPrepare}>What the server needs</button>
        <button type="submit" id=${`${P}-save`}>${busy === 'save' ? 'Testing and saving…' : server ? 'Save' : 'Add server'}</button>
        <button type="button" id=${`${P}-cancel`} onClick=${onCancel}>Cancel</button>
      </div>
    </fieldset>
    <p class="muted">The test runs on the agent that will monitor the server, as its monitor connects. ${
      server
        ? 'A change of how it connects is tested before it is saved.'
        : 'The server is added only when the test passes.'
    }</p>
    ${test ? html`<${TestAnswer} prefix=${P} result=${test} agentName=${agentName(Number(v.agentId))} />` : ''}
    ${prep ? html`<${Preparation} prep=${prep} />` : ''}
    <${FormResult} prefix=${P} errors=${errors} status=${status} />
  </form>`;
}
