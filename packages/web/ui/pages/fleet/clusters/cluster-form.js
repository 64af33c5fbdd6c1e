// @ts-check
// "Add Patroni cluster" (pem_admin): the cluster's REST endpoints (https
// URLs of its members' Patroni REST API, one a line), the CA file on the
// following agent's host, the agent that follows it, and how its members
// are monitored (role, sslmode, CA file, maintenance database, tags).
// "Read members" has the agent read GET /cluster (POST /api/clusters/read)
// and shows the members and their roles; "Add cluster" reads it again,
// tests every member from the agent that will monitor it, and registers
// the cluster and a server per member, or answers 422 with the sentence
// (naming the member) and registers nothing.
import { FieldError, FORM, FormResult, fieldSetter } from '../../../components/form-fields.js';
import { SSLMODE_TEXT, SSLMODES } from '../../../contract/fleet.js';
import { ApiError } from '../../../lib/api.js';
import { addCluster, readCluster } from '../../../lib/fleet-api.js';
import { html, useState } from '../../../lib/html.js';
import { agentLabel, failure, parseTags } from '../fleet-ui.js';
import { TestAnswer } from '../servers/test-answer.js';
import { MembersTable } from './members-table.js';

/** @typedef {import('../../../lib/fleet-api.js').FleetAgentView} FleetAgentView */
/** @typedef {import('../../../lib/fleet-api.js').ClusterReading} ClusterReading */
/** @typedef {import('../../../lib/fleet-api.js').MemberTest} MemberTest */
/** @typedef {import('../../../lib/fleet-api.js').MonitoredClusterView} MonitoredClusterView */
/** @typedef {import('../../../components/form-fields.js').FormErrors} FormErrors */
/**
 * @typedef {{
 *   name: string, restEndpoints: string, restCafile: string, agentId: string, user: string,
 *   sslmode: import('../../../lib/fleet-api.js').Sslmode, sslrootcert: string, maintenanceDb: string, tags: string,
 * }} Values
 */

const P = 'cluster';
const FIELDS = new Set([
  'name',
  'restEndpoints',
  'restCafile',
  'agentId',
  'user',
  'sslmode',
  'sslrootcert',
  'maintenanceDb',
  'tags',
]);

/**
 * The body of the form's values and the errors found before asking the API.
 * @param {Values} v
 */
function bodyOf(v) {
  /** @type {FormErrors} */
  const errors = {};
  const restEndpoints = v.restEndpoints.split(/[\s,]+/).filter((u) => u !== '');
  if (restEndpoints.length === 0) errors.restEndpoints = 'give at least one member’s REST API URL';
  if (!v.agentId) errors.agentId = 'choose the agent that follows the cluster';
  return {
    errors,
    body: {
      ...(v.name.trim() ? { name: v.name.trim() } : {}),
      restEndpoints,
      restCafile: v.restCafile.trim() || null,
      agentId: Number(v.agentId),
      user: v.user.trim(),
      sslmode: v.sslmode,
      sslrootcert: v.sslrootcert.trim() || null,
      maintenanceDb: v.maintenanceDb.trim() || 'postgres',
      tags: parseTags(v.tags),
    },
  };
}

/**
 * @param {{ agents: FleetAgentView[], onAdded: (c: MonitoredClusterView) => void, onCancel: () => void }} props
 */
export function ClusterForm({ agents, onAdded, onCancel }) {
  const [v, setV] = useState(
    /** @type {Values} */ ({
      name: '',
      restEndpoints: '',
      restCafile: '',
      agentId: agents.length === 1 ? String(agents[0]?.id) : '',
      user: '',
      sslmode: 'verify-full',
      sslrootcert: '',
      maintenanceDb: 'postgres',
      tags: '',
    }),
  );
  const [errors, setErrors] = useState(/** @type {FormErrors} */ ({}));
  const [busy, setBusy] = useState(/** @type {'' | 'read' | 'add'} */ (''));
  const [reading, setReading] = useState(/** @type {ClusterReading | undefined} */ (undefined));
  const [failed, setFailed] = useState(/** @type {MemberTest | undefined} */ (undefined));
  const set = fieldSetter(setV);

  /** @param {unknown} err */
  const showError = (err) => {
    if (
      err instanceof ApiError &&
      err.field &&
      FIELDS.has(err.field) &&
      err.status >= 400 &&
      err.status < 500
    )
      setErrors({ [err.field]: err.message });
    else setErrors({ [FORM]: failure(err) });
  };
  const onRead = async () => {
    const { body, errors: local } = bodyOf(v);
    delete local.user;
    if (Object.keys(local).length > 0) return setErrors(local);
    setBusy('read');
    setErrors({});
    setFailed(undefined);
    try {
      const r = await readCluster({
        restEndpoints: body.restEndpoints,
        restCafile: body.restCafile,
        agentId: body.agentId,
      });
      if (r.ok && r.reading) setReading(r.reading);
      else {
        setReading(undefined);
        setErrors({ restEndpoints: r.message ?? 'the cluster could not be read' });
      }
    } catch (err) {
      showError(err);
    } finally {
      setBusy('');
    }
  };
  /** @param {Event} e */
  const onSubmit = async (e) => {
    e.preventDefault();
    const { body, errors: local } = bodyOf(v);
    if (body.user === '') local.user = 'the monitoring role of the members is needed';
    if (Object.keys(local).length > 0) return setErrors(local);
    setBusy('add');
    setErrors({});
    setFailed(undefined);
    try {
      const r = await addCluster(body);
      onAdded(r.cluster);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'PHAROS_CLUSTER_ADD_FAILED') {
        const b = /** @type {{ reading?: ClusterReading, tests?: MemberTest[] }} */ (err.body);
        if (b.reading) setReading(b.reading);
        setFailed(b.tests?.find((t) => !t.test.ok));
      }
      showError(err);
    } finally {
      setBusy('');
    }
  };
  /** @param {string} name */
  const bad = (name) => (errors[name] ? 'true' : undefined);
  /** @param {'name' | 'restCafile' | 'user' | 'sslrootcert' | 'maintenanceDb' | 'tags'} name @param {string} label @param {Record<string, string | boolean>} [attrs] */
  const text = (name, label, attrs = {}) => html`<label>${label}
    <input id=${`${P}-${name}`} name=${name} value=${v[name]} onInput=${set(name)} aria-invalid=${bad(name)} ...${attrs} /></label>
    <${FieldError} prefix=${P} name=${name} errors=${errors} />`;
  const agentName = (/** @type {number} */ id) => agents.find((a) => a.id === id)?.displayName;
  return html`<form id="cluster-form" class="admin-form card-form" noValidate onSubmit=${onSubmit}>
    <h3>Add Patroni cluster</h3>
    <fieldset disabled=${busy !== ''}>
      <div class="form-row">
        <label class="wide">Patroni REST API endpoints (https URLs, one a line; any member answers for the cluster)
          <textarea id=${`${P}-restEndpoints`} name="restEndpoints" rows="2" value=${v.restEndpoints} onInput=${set('restEndpoints')}
            aria-invalid=${bad('restEndpoints')} placeholder="https://db-1.example.com:8008"></textarea></label>
        <${FieldError} prefix=${P} name="restEndpoints" errors=${errors} />
      </div>
      <div class="form-row">
        ${text('restCafile', 'CA file of the REST API on the agent’s host', { class: 'path-input' })}
        <label>Followed by
          <select id=${`${P}-agentId`} name="agentId" value=${v.agentId} onChange=${set('agentId')} aria-invalid=${bad('agentId')}>
            <option value="">— choose the agent —</option>
            ${agents.filter((a) => a.active).map((a) => html`<option key=${a.id} value=${String(a.id)}>${agentLabel(a)}</option>`)}
          </select></label>
        <${FieldError} prefix=${P} name="agentId" errors=${errors} />
        ${text('name', 'Name (empty: its Patroni scope)', { maxLength: '40' })}
      </div>
      <h4>Its members’ monitoring (each member is tested from the agent on its host, else the follower)</h4>
      <div class="form-row">
        ${text('user', 'Monitoring role', { placeholder: 'pem_monitor' })}
        ${text('maintenanceDb', 'Maintenance database')}
        <label>TLS (sslmode)
          <select id=${`${P}-sslmode`} name="sslmode" value=${v.sslmode} onChange=${set('sslmode')} aria-invalid=${bad('sslmode')}>
            ${SSLMODES.map((m) => html`<option key=${m} value=${m}>${m}</option>`)}
          </select></label>
        <span class="muted sslmode-text">${SSLMODE_TEXT[v.sslmode]}</span>
      </div>
      <div class="form-row">
        ${text('sslrootcert', 'CA file of the members on the agent’s host (empty: the agent’s default)', { class: 'path-input' })}
        ${text('tags', 'Tags')}
      </div>
      <div class="form-row">
        <button type="button" id=${`${P}-read`} onClick=${onRead}>${busy === 'read' ? 'Reading…' : 'Read members'}</button>
        <button type="submit" id=${`${P}-save`}>${busy === 'add' ? 'Testing members and adding…' : 'Add cluster'}</button>
        <button type="button" id=${`${P}-cancel`} onClick=${onCancel}>Cancel</button>
      </div>
    </fieldset>
    <${FormResult} prefix=${P} errors=${errors} status="" />
    ${
      failed
        ? html`<p>Member ${failed.member} (${failed.host}:${failed.port}):</p>
            <${TestAnswer} prefix=${P} result=${failed.test} agentName=${agentName(failed.agentId)} />`
        : ''
    }
    ${
      reading
        ? html`<div id="cluster-reading"><h4>Members of ${reading.scope ?? 'the cluster'} (read through ${reading.endpoint})</h4>
            <${MembersTable} id="cluster-read-members" members=${reading.members.map((m) => ({
              member: m.name,
              host: m.host,
              port: m.port,
              role: m.role,
              state: m.state,
              lagBytes: m.lag,
            }))} /></div>`
        : ''
    }
  </form>`;
}
