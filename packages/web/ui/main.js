// Entry point of the Pharos UI: shows the login form or the fleet, refreshes
// the fleet every few seconds while the page is visible, and rides out a
// backend failover (503) by saying so and retrying, never by logging out.
import { ApiError, getFleet, getSession, login, logout } from './api.js';
import { renderFleet } from './fleet-view.js';

/** Seconds between two refreshes of the fleet. */
const REFRESH_S = 5;

const $ = (id) => document.getElementById(id);
let timer;
let lastOk;

function show(view) {
  $('loading').hidden = true;
  $('login-view').hidden = view !== 'login';
  $('fleet-view').hidden = view !== 'fleet';
  $('who').hidden = view !== 'fleet';
}

function showLogin(message = '') {
  clearTimeout(timer);
  show('login');
  $('login-error').textContent = message;
  $('login-user').focus();
}

function showUser(session) {
  $('who-name').textContent = session.user;
  $('who-role').textContent = session.role;
}

function setBanner(text) {
  const el = $('backend-state');
  el.textContent = text;
  el.hidden = !text;
}

async function refresh() {
  clearTimeout(timer);
  try {
    const fleet = await getFleet();
    renderFleet(fleet);
    lastOk = new Date();
    setBanner('');
    $('refresh-state').textContent = `Updated ${lastOk.toLocaleTimeString()} · every ${REFRESH_S} s`;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401)
      return showLogin('Your session ended. Please log in again.');
    const why = err instanceof ApiError && err.status === 503 ? 'The backend is failing over' : err.message;
    setBanner(`${why}; retrying… ${lastOk ? `(data from ${lastOk.toLocaleTimeString()})` : ''}`);
  }
  if (!document.hidden) timer = setTimeout(refresh, REFRESH_S * 1000);
}

async function startFleet(session) {
  showUser(session);
  show('fleet');
  await refresh();
}

async function onLogin(event) {
  event.preventDefault();
  const button = $('login-submit');
  button.disabled = true;
  $('login-error').textContent = '';
  try {
    const session = await login($('login-user').value.trim(), $('login-password').value);
    $('login-password').value = '';
    await startFleet(session);
  } catch (err) {
    const status = err instanceof ApiError ? err.status : 0;
    $('login-error').textContent =
      status === 401
        ? 'Wrong user name or password.'
        : status === 403
          ? 'This role may not use Pharos (not in pem_user or pem_admin).'
          : status === 429
            ? 'Too many attempts; wait a minute.'
            : err.message;
  } finally {
    button.disabled = false;
  }
}

async function onLogout() {
  try {
    await logout();
  } catch {
    // the session may already be gone; show the form anyway
  }
  showLogin();
}

async function boot() {
  $('login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', onLogout);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && !$('fleet-view').hidden) refresh();
  });
  for (;;) {
    try {
      return await startFleet(await getSession());
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return showLogin();
      show('fleet');
      setBanner(`${err.status === 503 ? 'The backend is failing over' : err.message}; retrying…`);
      await new Promise((r) => setTimeout(r, REFRESH_S * 1000));
    }
  }
}

boot();
