// @ts-check
// The login form: a PostgreSQL role of the PEM backend and its password.
import { ApiError, errorText, login } from '../../lib/api.js';
import { html, useEffect, useRef, useState } from '../../lib/html.js';

/**
 * Why the login was refused, in words.
 * @param {unknown} err
 */
function refusal(err) {
  const status = err instanceof ApiError ? err.status : 0;
  if (status === 401) return 'Wrong user name or password.';
  if (status === 403) return 'This role may not use Pharos (not in pem_user or pem_admin).';
  if (status === 429) return 'Too many attempts; wait a minute.';
  return errorText(err);
}

/**
 * The login form; calls onLogin(session) once the backend accepted the credentials.
 * @param {{ message?: string, onLogin: (session: import('../../lib/api.js').Session) => void }} props
 *   `message`: why the form shows (e.g. the session ended)
 */
export function LoginPage({ message, onLogin }) {
  const [error, setError] = useState(message ?? '');
  const [busy, setBusy] = useState(false);
  /** @type {{ current: HTMLInputElement | null }} */
  const user = useRef(null);
  /** @type {{ current: HTMLInputElement | null }} */
  const password = useRef(null);
  useEffect(() => user.current?.focus(), []);
  /** @param {Event} event */
  const submit = async (event) => {
    event.preventDefault();
    if (!user.current || !password.current) return;
    setBusy(true);
    setError('');
    try {
      const session = await login(user.current.value.trim(), password.current.value);
      password.current.value = '';
      onLogin(session);
    } catch (err) {
      setError(refusal(err));
      setBusy(false);
    }
  };
  return html`<section id="login-view">
    <form id="login-form" class="login" autocomplete="on" onSubmit=${submit}>
      <h2>Log in</h2>
      <p class="muted">Use your PostgreSQL role of the PEM backend (a member of pem_user or pem_admin).</p>
      <label>User <input id="login-user" name="user" autocomplete="username" required ref=${user} /></label>
      <label>Password <input id="login-password" name="password" type="password" autocomplete="current-password" required ref=${password} /></label>
      <button type="submit" id="login-submit" disabled=${busy}>Log in</button>
      <p id="login-error" class="error" role="alert">${error}</p>
    </form>
  </section>`;
}
