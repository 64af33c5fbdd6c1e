// The browser's client of the Pharos JSON API (same origin). Keeps the
// session's CSRF token in memory and sends it on every mutating request.
// Errors carry the HTTP status so callers tell "not logged in" (401) from
// "backend is failing over" (503).

let csrfToken = '';

/**
 * An API error: `status` is the HTTP status (0 when the instance did not
 * answer); `field` names the request field at fault when the API said so
 * (400 answers of forms).
 */
export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

/** Sends one request to the API (the CSRF token on mutating ones); resolves to the JSON answer or throws ApiError. */
export async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'this web instance does not answer');
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data.error || `HTTP ${res.status}`, data.field);
  return data;
}

/** `?a=1&b=2` of the given parameters, skipping empty ones ('' when none). */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function remember(session) {
  csrfToken = session.csrfToken;
  return session;
}

/** The current session, or throws ApiError 401. */
export async function getSession() {
  return remember(await call('GET', '/api/session'));
}

/** Logs in; resolves to the session. */
export async function login(user, password) {
  return remember(await call('POST', '/api/login', { user, password }));
}

/** Logs out (the session ends on every instance). */
export async function logout() {
  try {
    await call('POST', '/api/logout');
  } finally {
    csrfToken = '';
  }
}

/** The fleet: agents and servers with their latest values and alert counts. */
export const getFleet = () => call('GET', '/api/fleet');

/** The HA stack: Patroni members and etcd health. */
export const getCluster = () => call('GET', '/api/cluster');

/** The user's preferences (defaults filled in). */
export const getPreferences = () => call('GET', '/api/preferences');

/** Saves some preferences; resolves to all of them. */
export const patchPreferences = (change) => call('PATCH', '/api/preferences', change);

/** One server and the probes that have data for it. */
export const getServer = (id) => call('GET', `/api/servers/${encodeURIComponent(id)}`);

/** Downsampled series: {probe, fields: [..], mode, from, to, points, object}. */
export const getSeries = (id, p) =>
  call('GET', `/api/servers/${encodeURIComponent(id)}/series${query({ ...p, fields: p.fields.join(',') })}`);

/** Latest value of every object of a probe on a server. */
export const getLatest = (id, probe) =>
  call('GET', `/api/servers/${encodeURIComponent(id)}/latest${query({ probe })}`);

/** Current alerts by level and their history. */
export const getAlerts = (limit = 200) => call('GET', `/api/alerts${query({ limit })}`);

/** Recent probe failures: {limit, serverId, probe, before}. */
export const getProbeLog = (p = {}) => call('GET', `/api/probe-log${query(p)}`);
