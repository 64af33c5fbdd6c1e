// @ts-check
// Enrolment tokens (pem_admin only; the API refuses the list to others):
// create one (name, validity) and see it once, with the commands that use
// it on the new host; the list of tokens by state (pending, used, revoked,
// expired: never the tokens, only their SHA-256 is stored); revoke a
// pending one (confirmed). docs/monitoring-a-server.md §1-2.
import { Badge } from '../../../components/badges.js';
import { ConfirmButton } from '../../../components/confirm-button.js';
import { errorsOf, FieldError, FormResult } from '../../../components/form-fields.js';
import { StatusBar } from '../../../components/status-bar.js';
import { Table } from '../../../components/table.js';
import { TOKEN_VALIDITY } from '../../../contract/fleet.js';
import { createToken, listTokens, revokeToken } from '../../../lib/fleet-api.js';
import { when } from '../../../lib/format.js';
import { html, useState } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { ADMINS_ONLY, failure } from '../fleet-ui.js';

/** @typedef {import('../../../lib/fleet-api.js').EnrolmentToken} EnrolmentToken */
/** @typedef {import('../../../lib/fleet-api.js').CreatedToken} CreatedToken */

/** @type {Record<EnrolmentToken['state'], import('../../../components/badges.js').Tone>} */
const STATE_TONE = { pending: 'info', used: 'ok', revoked: 'off', expired: 'off' };

/**
 * A token just created: shown here once, with the commands of the new host.
 * @param {{ t: CreatedToken, onDismiss: () => void }} props
 */
function CreatedTokenBox({ t, onDismiss }) {
  const origin = location.origin;
  return html`<div id="token-created" class="prepare-box" role="status">
    <h4>Token ${t.id} (${t.name}), valid until ${when(t.expiresAt)}, for one enrolment</h4>
    <p><strong>Copy it now: it is not shown again</strong> (Pharos keeps only its SHA-256).</p>
    <pre id="token-value">${t.token}</pre>
    <p>On the new host, with the deployment’s CA file:</p>
    <pre>export PHAROS_ENROL_TOKEN='…the token above…'   # a variable: a flag would show in ps
pharos agent enrol --url ${origin} --ca-file /path/to/root.crt --display-name ${t.name}</pre>
    <button type="button" id="token-dismiss" onClick=${onDismiss}>I have copied it</button>
  </div>`;
}

/**
 * The create form.
 * @param {{ onCreated: (t: CreatedToken) => void }} props
 */
function CreateForm({ onCreated }) {
  const [name, setName] = useState('');
  const [validForS, setValidForS] = useState(String(86_400));
  const [errors, setErrors] = useState(/** @type {Record<string, string>} */ ({}));
  const [busy, setBusy] = useState(false);
  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    if (name.trim() === '') return setErrors({ name: 'name the host it is for' });
    setBusy(true);
    setErrors({});
    try {
      onCreated(await createToken(name.trim(), Number(validForS)));
      setName('');
    } catch (err) {
      setErrors(errorsOf(err, undefined, ADMINS_ONLY));
    } finally {
      setBusy(false);
    }
  };
  return html`<form id="token-form" class="admin-form card-form" noValidate onSubmit=${submit}>
    <fieldset disabled=${busy}>
      <div class="form-row">
        <label>For the host
          <input id="token-name" value=${name} placeholder="pg-host-1" maxLength="63" aria-invalid=${errors.name ? 'true' : undefined}
            onInput=${(/** @type {Event} */ e) => setName(/** @type {HTMLInputElement} */ (e.currentTarget).value)} /></label>
        <${FieldError} prefix="token" name="name" errors=${errors} />
        <label>Valid for
          <select id="token-validity" value=${validForS}
            onChange=${(/** @type {Event} */ e) => setValidForS(/** @type {HTMLSelectElement} */ (e.currentTarget).value)}>
            ${TOKEN_VALIDITY.map((v) => html`<option key=${v.seconds} value=${String(v.seconds)}>${v.label}</option>`)}
          </select></label>
        <${FieldError} prefix="token" name="validForS" errors=${errors} />
        <button type="submit" id="token-create">Create token</button>
      </div>
    </fieldset>
    <${FormResult} prefix="token" errors=${errors} status="" />
  </form>`;
}

/** @param {EnrolmentToken} t */
function useText(t) {
  if (t.state === 'used') return `agent ${t.usedByAgent ?? '?'} from ${t.usedFrom ?? '?'}, ${when(t.usedAt)}`;
  if (t.state === 'revoked') return `by ${t.revokedBy ?? '?'}, ${when(t.revokedAt)}`;
  return '';
}

const HEAD = ['Id', 'For', 'State', 'Created', 'Expires', 'Used / revoked', ''];

/**
 * The tokens tab (shown to pem_admin only).
 * @param {{ prefs: import('../../../lib/api.js').Preferences }} props
 */
export function TokensPage({ prefs }) {
  const poll = usePoll(listTokens, 'fleet-tokens', prefs.refreshIntervalS);
  const [created, setCreated] = useState(/** @type {CreatedToken | undefined} */ (undefined));
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const d = poll.data;
  return html`<section id="tokens-view">
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <div class="page-head"><h2>Enrolment tokens <span class="count">${d ? `(${d.length})` : ''}</span></h2></div>
    <p class="muted">A token enrols one host, once, within its validity; it is shown only when created.</p>
    ${
      created
        ? html`<${CreatedTokenBox} t=${created} onDismiss=${() => setCreated(undefined)} />`
        : html`<${CreateForm} onCreated=${(/** @type {CreatedToken} */ t) => {
            setCreated(t);
            setNotice('');
            poll.reload();
          }} />`
    }
    <p class="ok-text" id="tokens-notice" role="status" hidden=${!notice}>${notice}</p>
    <p class="error" id="tokens-error" role="alert" hidden=${!error}>${error}</p>
    ${
      !d
        ? html`<p class="muted">Loading…</p>`
        : d.length === 0
          ? html`<p class="muted" id="no-tokens">No token yet.</p>`
          : html`<${Table} id="fleet-tokens" head=${HEAD}>${d.map(
              (t) => html`<tr key=${t.id} data-id=${t.id} data-state=${t.state}>
                <td class="num">${t.id}</td>
                <td>${t.name}</td>
                <td><${Badge} tone=${STATE_TONE[t.state]} text=${t.state} /></td>
                <td>${when(t.createdAt)} <span class="muted">by ${t.createdBy}</span></td>
                <td>${when(t.expiresAt)}</td>
                <td>${useText(t)}</td>
                <td class="actions">${
                  t.state === 'pending'
                    ? html`<${ConfirmButton} label="Revoke" className="token-revoke" action=${() => revokeToken(t.id)}
                        onError=${(/** @type {unknown} */ err) => setError(failure(err))} onDone=${() => {
                          setNotice(`Token ${t.id} (${t.name}) revoked.`);
                          setError('');
                          poll.reload();
                        }} />`
                    : ''
                }</td>
              </tr>`,
            )}</${Table}>`
    }
  </section>`;
}
