// @ts-check
// API tokens (#/api-tokens): the user's tokens for scripts, Grafana and
// Prometheus — made here (the token is shown once, right after, with how to
// use it), listed with their expiry and last use, revoked. An administrator
// can list and revoke every role's tokens. A token acts with the role's
// rights: a pem_user's is read-only.
import { errorsOf, FieldError, FormResult } from '../../components/form-fields.js';
import { Table } from '../../components/table.js';
import { errorText } from '../../lib/api.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../../lib/api-tokens-api.js';
import { when } from '../../lib/format.js';
import { html, useEffect, useState } from '../../lib/html.js';

/** @typedef {import('../../lib/api-tokens-api.js').ApiTokenInfo} ApiTokenInfo */
/** @typedef {import('../../lib/api-tokens-api.js').NewApiToken} NewApiToken */
/** @typedef {import('../../components/form-fields.js').FormErrors} FormErrors */

const P = 'api-token';

/** Validities offered, days. */
const VALID_FOR_DAYS = /** @type {const} */ ([7, 30, 90, 365]);

/**
 * The form that makes a token; `onMade(token)` with the answer.
 * @param {{ onMade: (t: NewApiToken) => void }} props
 */
function CreateForm({ onMade }) {
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [errors, setErrors] = useState(/** @type {FormErrors} */ ({}));
  const [busy, setBusy] = useState(false);
  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    if (name.trim() === '') return setErrors({ name: 'give what the token is for, e.g. grafana' });
    setBusy(true);
    setErrors({});
    try {
      const t = await createApiToken({ name: name.trim(), validForS: Number(days) * 86_400 });
      setName('');
      onMade(t);
    } catch (err) {
      setErrors(errorsOf(err, (f) => (f === 'validForS' ? 'days' : f)));
    } finally {
      setBusy(false);
    }
  };
  return html`<form id="api-token-form" class="admin-form card-form" noValidate onSubmit=${submit}>
    <h3>New API token</h3>
    <label>Name
      <input id=${`${P}-name`} value=${name} maxLength=${200} placeholder="grafana"
        onInput=${(/** @type {Event} */ e) => setName(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
        aria-invalid=${errors.name ? 'true' : undefined} /></label>
    <${FieldError} prefix=${P} name="name" errors=${errors} />
    <label>Valid for
      <select id=${`${P}-days`} value=${days}
        onChange=${(/** @type {Event} */ e) => setDays(/** @type {HTMLSelectElement} */ (e.currentTarget).value)}>
        ${VALID_FOR_DAYS.map((d) => html`<option key=${d} value=${String(d)}>${d} days</option>`)}
      </select></label>
    <${FieldError} prefix=${P} name="days" errors=${errors} />
    <p><button type="submit" id=${`${P}-create`} disabled=${busy}>Create token</button></p>
    <${FormResult} prefix=${P} errors=${errors} status="" />
  </form>`;
}

/**
 * The token just made, shown this once.
 * @param {{ token: NewApiToken, onDone: () => void }} props
 */
function NewToken({ token, onDone }) {
  return html`<div id="api-token-new" class="card-form" role="status">
    <h3>Token ${token.name} (role ${token.role}), valid until ${when(token.expiresAt)}</h3>
    <p><strong>Copy it now: it is shown only this once</strong> (Pharos keeps only its hash).</p>
    <input id="api-token-secret" readOnly value=${token.token} size=${52}
      onFocus=${(/** @type {Event} */ e) => /** @type {HTMLInputElement} */ (e.currentTarget).select()} />
    <ul class="muted" id="api-token-usage">
      <li>scripts: <code>${`curl -H "Authorization: Bearer $TOKEN" ${location.origin}/api/servers`}</code></li>
      <li>the CLI: <code>export PHAROS_API_TOKEN=…</code></li>
      <li>Prometheus: <code>authorization: { credentials_file: … }</code> for <code>/metrics</code></li>
    </ul>
    <p><button type="button" id="api-token-done" onClick=${onDone}>I have copied it</button></p>
  </div>`;
}

/**
 * The API tokens page.
 * @param {{ session: import('../../lib/api.js').Session }} props
 */
export function ApiTokensPage({ session }) {
  const isAdmin = session.role === 'admin';
  const [all, setAll] = useState(false);
  const [tokens, setTokens] = useState(/** @type {ApiTokenInfo[] | undefined} */ (undefined));
  const [made, setMade] = useState(/** @type {NewApiToken | undefined} */ (undefined));
  const [error, setError] = useState('');
  const load = () =>
    listApiTokens(all).then(
      (t) => {
        setTokens(t);
        setError('');
      },
      (err) => setError(errorText(err)),
    );
  useEffect(() => {
    load();
  }, [all]);
  /** @param {ApiTokenInfo} t */
  const revoke = async (t) => {
    if (!confirm(`Revoke API token ${t.name} (${t.role})? Whatever uses it is refused from now on.`)) return;
    try {
      await revokeApiToken(t.id);
    } catch (err) {
      setError(errorText(err));
    }
    load();
  };
  const head = ['Name', ...(all ? ['Role'] : []), 'State', 'Made', 'Expires', 'Last used', ''];
  return html`<section id="api-tokens-view">
    <h2>API tokens <span class="count">(for scripts, Grafana and Prometheus; they act with your role’s rights${
      isAdmin ? '' : ': read-only'
    })</span></h2>
    ${
      made
        ? html`<${NewToken} token=${made} onDone=${() => setMade(undefined)} />`
        : html`<${CreateForm} onMade=${(/** @type {NewApiToken} */ t) => {
            setMade(t);
            load();
          }} />`
    }
    ${
      isAdmin
        ? html`<label class="check"><input id="api-tokens-all" type="checkbox" checked=${all}
            onChange=${(/** @type {Event} */ e) => setAll(/** @type {HTMLInputElement} */ (e.currentTarget).checked)} />
            every role’s tokens</label>`
        : ''
    }
    ${error ? html`<p class="error" id="api-tokens-error" role="alert">${error}</p>` : ''}
    ${
      !tokens
        ? html`<p class="muted">Loading…</p>`
        : tokens.length === 0
          ? html`<p class="muted" id="no-api-tokens">No API tokens.</p>`
          : html`<${Table} id="api-tokens" head=${head}>${tokens.map(
              (t) => html`<tr key=${t.id} data-id=${t.id} data-state=${t.state}>
                <td>${t.name}</td>
                ${all ? html`<td>${t.role}</td>` : ''}
                <td>${t.state === 'revoked' ? `revoked by ${t.revokedBy}` : t.state}</td>
                <td>${when(t.createdAt)}</td>
                <td>${when(t.expiresAt)}</td>
                <td>${t.lastUsedAt ? `${when(t.lastUsedAt)}${t.lastUsedFrom ? ` from ${t.lastUsedFrom}` : ''}` : 'never'}</td>
                <td>${
                  t.state === 'active'
                    ? html`<button type="button" class="revoke" onClick=${() => revoke(t)}>Revoke</button>`
                    : ''
                }</td>
              </tr>`,
            )}</${Table}>`
    }
  </section>`;
}
