// @ts-check
// The browser's client of the Pharos JSON API (same origin). Keeps the
// session's CSRF token in memory and sends it on every mutating request.
// Errors carry the HTTP status so callers tell "not logged in" (401) from
// "backend is failing over" (503), and errorText puts any of them in words.
// The answers' types are the server's own declarations (packages/web/src/api,
// read from its build's .d.ts files): the UI does not restate them.

/** @typedef {import('../../dist/api/fleet-query.js').Fleet} Fleet */
/** @typedef {import('../../dist/api/fleet-query.js').FleetAgent} FleetAgent */
/** @typedef {import('../../dist/api/fleet-query.js').FleetServer} FleetServer */
/** @typedef {import('../../dist/api/fleet-query.js').LatestByProbe} LatestByProbe */
/** @typedef {import('../../dist/api/shapes/fleet.js').FleetQuery} FleetQuery */
/** @typedef {import('../../dist/api/alerts-query.js').AlertsAnswer} AlertsAnswer */
/** @typedef {import('../../dist/api/alerts-query.js').AlertCounts} AlertCounts */
/** @typedef {import('../../dist/api/alerts-query.js').AlertView} AlertView */
/** @typedef {import('../../dist/api/alerts-query.js').AlertChange} AlertChange */
/** @typedef {import('../../dist/api/server-query.js').ServerDetail} ServerDetail */
/** @typedef {import('../../dist/api/host-query.js').HostDetail} HostDetail */
/** @typedef {import('../../dist/api/changes-query.js').FieldChange} FieldChange */
/** @typedef {import('../../dist/api/series-query.js').SeriesAnswer} SeriesAnswer */
/** @typedef {import('../../dist/api/series-query.js').SeriesMode} SeriesMode */
/** @typedef {import('../../dist/api/probe-log-query.js').ProbeFailure} ProbeFailure */
/** @typedef {import('../../dist/api/preferences-store.js').Preferences} Preferences */
/** @typedef {import('../../dist/api/sessions.js').LiveSession} LiveSession */
/** @typedef {import('../../dist/api/top-sql.js').TopSqlAnswer} TopSqlAnswer */
/** @typedef {import('../../dist/api/top-sql.js').TopSqlRow} TopSqlRow */
/** @typedef {import('../../dist/api/sessions.js').SignalRecord} SignalRecord */
/** @typedef {import('../../dist/api/sessions.js').SignalHistoryRow} SignalHistoryRow */
/**
 * GET /api/servers/:id/sessions: the sessions the agent read, or why it could not.
 * @typedef {{ serverId: number, available: boolean, agentId?: number | null, readAt?: string,
 *   sessions?: LiveSession[], agentDown?: boolean, message?: string }} SessionsAnswer
 */
/** @typedef {import('../../dist/cluster/status.js').ClusterStatus} ClusterStatus */
/**
 * A latest value of a probe as GET /api/servers/:id/latest answers it.
 * @template V
 * @typedef {import('../../dist/api/fleet-query.js').LatestValue<V>} LatestValue
 */
/**
 * The logged-in user as GET /api/session and POST /api/login answer
 * (packages/web/src/auth/routes.ts).
 * @typedef {{ user: string, role: 'admin' | 'user', csrfToken: string }} Session
 */

let csrfToken = '';

/**
 * An API error: `status` is the HTTP status (0 when the instance did not
 * answer); `code` the catalogue code of the answer (docs/errors.md, e.g.
 * PHAROS_BACKEND_FAILING_OVER; undefined when the instance did not answer);
 * `field` names the request field at fault when the API said so (400
 * answers of forms); `body` is the whole answer (a 422 of the fleet
 * routes carries the connection test that failed).
 */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {string} [field]
   * @param {string} [code]
   * @param {Record<string, unknown>} [body]
   */
  constructor(status, message, field, code, body = {}) {
    super(message);
    this.status = status;
    this.field = field;
    this.code = code;
    this.body = body;
  }
}

/**
 * What went wrong with a request, in words for the user: the one wording of
 * each failure the whole UI uses.
 * @param {unknown} err what a request threw
 * @param {{ retrying?: boolean, forbidden?: string }} [how] `retrying`: the
 *   page retries by itself (automatic refresh), else the user has to act again;
 *   `forbidden`: a sentence added to a 403 (who may do this)
 * @returns {string}
 */
export function errorText(err, how = {}) {
  if (err instanceof ApiError) {
    if (err.status === 503)
      return how.retrying
        ? 'The backend is failing over; retrying…'
        : 'The backend is failing over; try again in a few seconds.';
    if (err.status === 0)
      return how.retrying
        ? 'This web instance does not answer; retrying…'
        : 'This web instance does not answer.';
    if (err.status === 403) return `Not allowed: ${err.message}.${how.forbidden ? ` ${how.forbidden}` : ''}`;
    // Nothing to retry: what was asked for does not exist (lib/poll.js stops).
    if (err.status === 404) return `Not found: ${err.message}.`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return how.retrying ? `${message}; retrying…` : message;
}

/**
 * Sends one request to the API (the CSRF token on mutating ones).
 * @template [T=unknown]
 * @param {'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} method
 * @param {string} path
 * @param {unknown} [body] sent as JSON
 * @returns {Promise<T>} the JSON answer
 * @throws {ApiError} on a non-2xx answer or no answer
 */
export async function call(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  /** @type {RequestInit} */
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
  if (!res.ok)
    throw new ApiError(res.status, data.error || `HTTP ${res.status}`, data.field, data.code, data);
  return data;
}

/**
 * `?a=1&b=2` of the given parameters, skipping empty ones ('' when none).
 * @param {Record<string, unknown>} params
 */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** @param {Session} session */
function remember(session) {
  csrfToken = session.csrfToken;
  return session;
}

/** The current session, or throws ApiError 401. */
export async function getSession() {
  return remember(await call('GET', '/api/session'));
}

/**
 * Logs in; resolves to the session.
 * @param {string} user
 * @param {string} password
 */
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

/**
 * The fleet's totals and a page of agents and servers with their latest
 * values and alert counts (docs/web-api.md "Overview"): `q` gives the page
 * (limit, offset, agentOffset), the order (problems, name, id) and the
 * filters (status: a comma list of status words, cluster: a cluster id,
 * name: a part of the name); none = the first page, problems first.
 * @param {FleetQuery} [q]
 * @returns {Promise<Fleet>}
 */
export const getFleet = (q = {}) => call('GET', `/api/fleet${query(q)}`);

/**
 * The HA stack: Patroni members and etcd health.
 * @returns {Promise<ClusterStatus>}
 */
export const getCluster = () => call('GET', '/api/cluster');

/**
 * The user's preferences (defaults filled in).
 * @returns {Promise<Preferences>}
 */
export const getPreferences = () => call('GET', '/api/preferences');

/**
 * Saves some preferences; resolves to all of them.
 * @param {Partial<Preferences>} change
 * @returns {Promise<Preferences>}
 */
export const patchPreferences = (change) => call('PATCH', '/api/preferences', change);

/**
 * One server and the probes that have data for it.
 * @param {number} id
 * @returns {Promise<ServerDetail>}
 */
export const getServer = (id) => call('GET', `/api/servers/${encodeURIComponent(id)}`);

/**
 * Downsampled series of some fields of a probe.
 * @param {number} id server
 * @param {{ probe: string, fields: readonly string[], mode: SeriesMode, from: string, to: string, points: number, object?: string }} p
 * @returns {Promise<SeriesAnswer>}
 */
export const getSeries = (id, p) =>
  call('GET', `/api/servers/${encodeURIComponent(id)}/series${query({ ...p, fields: p.fields.join(',') })}`);

/**
 * Latest value of every object of a probe on a server (of its newest run);
 * `V` is the probe's value (ProbeValues[probe] of the contract).
 * @template V
 * @param {number} id server
 * @param {string} probe
 * @param {string} [prefix] only objects whose name starts with it (`app/`: database app's)
 * @returns {Promise<{ rows: LatestValue<V>[] }>}
 */
export const getLatest = (id, probe, prefix) =>
  call('GET', `/api/servers/${encodeURIComponent(id)}/latest${query({ probe, prefix })}`);

/**
 * When fields of one object changed value over [from, to], newest first.
 * @param {number} id server
 * @param {{ probe: string, object: string, fields: readonly string[], from: string, to: string }} p
 * @returns {Promise<{ changes: FieldChange[] }>}
 */
export const getChanges = (id, p) =>
  call('GET', `/api/servers/${encodeURIComponent(id)}/changes${query({ ...p, fields: p.fields.join(',') })}`);

/**
 * An agent's host: the agent, its servers and the host probes with data.
 * @param {number} id agent
 * @returns {Promise<HostDetail>}
 */
export const getHost = (id) => call('GET', `/api/agents/${encodeURIComponent(id)}`);

/**
 * Latest value of every object of a host probe of an agent.
 * @template V
 * @param {number} id agent
 * @param {string} probe
 * @returns {Promise<{ rows: LatestValue<V>[] }>}
 */
export const getHostLatest = (id, probe) =>
  call('GET', `/api/agents/${encodeURIComponent(id)}/latest${query({ probe })}`);

/**
 * Downsampled series of some fields of a host probe of an agent.
 * @param {number} id agent
 * @param {{ probe: string, fields: readonly string[], mode: SeriesMode, from: string, to: string, points: number, object?: string }} p
 * @returns {Promise<SeriesAnswer>}
 */
export const getHostSeries = (id, p) =>
  call('GET', `/api/agents/${encodeURIComponent(id)}/series${query({ ...p, fields: p.fields.join(',') })}`);

/**
 * The statements that did the most over [from, to] (pg_stat_statements deltas).
 * @param {number} id server
 * @param {{ from: string, to: string, order: 'total_time' | 'calls' | 'mean_time' | 'rows' | 'shared_blks_read', limit?: number }} p
 * @returns {Promise<TopSqlAnswer>}
 */
export const getTopSql = (id, p) => call('GET', `/api/servers/${encodeURIComponent(id)}/top-sql${query(p)}`);

/**
 * A server's live sessions, read by its agent.
 * @param {number} id server
 * @returns {Promise<SessionsAnswer>}
 */
export const getSessions = (id) => call('GET', `/api/servers/${encodeURIComponent(id)}/sessions`);

/**
 * Cancels a backend's query or terminates it (pem_admin), recorded with `reason`.
 * @param {number} id server
 * @param {number} pid
 * @param {'cancel' | 'terminate'} action
 * @param {string} reason
 * @returns {Promise<SignalRecord>}
 */
export const signalSession = (id, pid, action, reason) =>
  call('POST', `/api/servers/${encodeURIComponent(id)}/sessions/${encodeURIComponent(pid)}/${action}`, {
    reason,
  });

/**
 * A server's recorded cancels and terminates, newest first.
 * @param {number} id server
 * @returns {Promise<SignalHistoryRow[]>}
 */
export const getSessionSignals = (id) =>
  call('GET', `/api/servers/${encodeURIComponent(id)}/session-signals`);

/**
 * Current alerts by level and their history.
 * @returns {Promise<AlertsAnswer>}
 */
export const getAlerts = (limit = 200) => call('GET', `/api/alerts${query({ limit })}`);

/**
 * Recent probe failures, newest first.
 * @param {{ limit?: number, serverId?: number, probe?: string, before?: string }} [p]
 * @returns {Promise<{ failures: ProbeFailure[] }>}
 */
export const getProbeLog = (p = {}) => call('GET', `/api/probe-log${query(p)}`);
