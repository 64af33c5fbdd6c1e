// @ts-check
// The UI's one hash router: which page the URL's hash names, and the links
// to pages. Routes:
//   #/                         overview
//   #/server/<id>              a server's analysis
//   #/server/<id>/sessions     a server's live sessions (read by its agent)
//   #/server/<id>/top-sql      the statements that did the most (pg_stat_statements)
//   #/server/<id>/statement/<key>          one statement (database/role/queryid) over time
//   #/server/<id>/database/<db>            one database of a server
//   #/server/<id>/table/<db>/<relation>    one table (schema.name) of a database
//   #/host/<agentId>           an agent's host (CPU, memory, disks, network)
//   #/alerts                   alerts, Current tab
//   #/alerts/<tab>[?...]       alerts, another tab (ALERT_TABS)
//   #/alerts/<id>              one alert
//   #/probe-log                probe failures
//   #/fleet                    fleet, Servers tab (#/fleet/<tab>: FLEET_TABS)
//   #/fleet/servers/add        the Add server form
//   #/fleet/servers/<id>/edit  a server's settings
//   #/fleet/clusters/add       the Add Patroni cluster form
//   #/maintenance              maintenance windows
//   #/api-tokens               the user's API tokens
//   #/probes                   custom probes
// Anything else is "no such page" (not the overview: a mistyped link must
// say so). A new page adds a line to ROUTES (and its case in main.js). No
// DOM or framework here: unit-tested under Node.

/** The tabs of the alerts area, in their order (`current` is #/alerts itself). */
export const ALERT_TABS = /** @type {const} */ ([
  'current',
  'all',
  'webhooks',
  'email',
  'templates',
  'deliveries',
  'problems',
]);

/** @typedef {(typeof ALERT_TABS)[number]} AlertTab */

/** The tabs of the fleet area, in their order (`servers` is #/fleet itself). */
export const FLEET_TABS = /** @type {const} */ (['servers', 'clusters', 'agents', 'tokens']);

/** @typedef {(typeof FLEET_TABS)[number]} FleetTab */

/**
 * A parsed route. `alerts`: `tab` is an ALERT_TABS entry or `alert` (one
 * alert, `id`), `params` the hash's query (#/alerts/deliveries?alertId=7).
 * @typedef {{ page: 'overview' }
 *   | { page: 'server', id: number }
 *   | { page: 'sessions', id: number }
 *   | { page: 'top-sql', id: number }
 *   | { page: 'statement', serverId: number, key: string }
 *   | { page: 'database', serverId: number, database: string }
 *   | { page: 'table', serverId: number, database: string, relation: string }
 *   | { page: 'host', id: number }
 *   | { page: 'alerts', tab: AlertTab | 'alert', id?: number, params: Record<string, string> }
 *   | { page: 'probe-log' }
 *   | { page: 'fleet', tab: FleetTab | 'server-add' | 'server-edit' | 'cluster-add', id?: number }
 *   | { page: 'maintenance' }
 *   | { page: 'api-tokens' }
 *   | { page: 'probes' }
 *   | { page: 'not-found', hash: string }} Route
 */

/** @param {string | undefined} q */
const paramsOf = (q) => Object.fromEntries(new URLSearchParams(q ?? ''));

/**
 * A URL-encoded part of a route (a database or table name), or undefined when it is not valid.
 * @param {string | undefined} part
 */
function decodePart(part) {
  try {
    const s = decodeURIComponent(part ?? '');
    return s === '' ? undefined : s;
  } catch {
    return undefined;
  }
}

/** @type {[RegExp, (m: RegExpExecArray) => Route | undefined][]} */
const ROUTES = [
  [/^#\/server\/(\d+)$/, (m) => ({ page: 'server', id: Number(m[1]) })],
  [/^#\/server\/(\d+)\/sessions$/, (m) => ({ page: 'sessions', id: Number(m[1]) })],
  [/^#\/server\/(\d+)\/top-sql$/, (m) => ({ page: 'top-sql', id: Number(m[1]) })],
  [
    /^#\/server\/(\d+)\/statement\/([^/]+)$/,
    (m) => {
      const key = decodePart(m[2]);
      return key === undefined ? undefined : { page: 'statement', serverId: Number(m[1]), key };
    },
  ],
  [
    /^#\/server\/(\d+)\/database\/([^/]+)$/,
    (m) => {
      const database = decodePart(m[2]);
      return database === undefined ? undefined : { page: 'database', serverId: Number(m[1]), database };
    },
  ],
  [
    /^#\/server\/(\d+)\/table\/([^/]+)\/([^/]+)$/,
    (m) => {
      const database = decodePart(m[2]);
      const relation = decodePart(m[3]);
      return database === undefined || relation === undefined
        ? undefined
        : { page: 'table', serverId: Number(m[1]), database, relation };
    },
  ],
  [/^#\/host\/(\d+)$/, (m) => ({ page: 'host', id: Number(m[1]) })],
  [
    /^#\/alerts(?:\/([a-z]+|\d+))?\/?(?:\?(.*))?$/,
    (m) => {
      const params = paramsOf(m[2]);
      const sub = m[1];
      if (!sub) return { page: 'alerts', tab: 'current', params };
      if (/^\d+$/.test(sub)) return { page: 'alerts', tab: 'alert', id: Number(sub), params };
      const tab = ALERT_TABS.find((t) => t === sub && t !== 'current');
      return tab ? { page: 'alerts', tab, params } : undefined;
    },
  ],
  [/^#\/probe-log$/, () => ({ page: 'probe-log' })],
  [/^#\/fleet\/servers\/add$/, () => ({ page: 'fleet', tab: 'server-add' })],
  [/^#\/fleet\/servers\/(\d+)\/edit$/, (m) => ({ page: 'fleet', tab: 'server-edit', id: Number(m[1]) })],
  [/^#\/fleet\/clusters\/add$/, () => ({ page: 'fleet', tab: 'cluster-add' })],
  [
    /^#\/fleet(?:\/([a-z]+))?\/?$/,
    (m) => {
      const tab = FLEET_TABS.find((t) => t === (m[1] ?? 'servers'));
      return tab ? { page: 'fleet', tab } : undefined;
    },
  ],
  [/^#\/maintenance$/, () => ({ page: 'maintenance' })],
  [/^#\/api-tokens$/, () => ({ page: 'api-tokens' })],
  [/^#\/probes$/, () => ({ page: 'probes' })],
];

/**
 * The page named by `hash` (location.hash): the overview for none (`''`,
 * `#`, `#/`), `not-found` for anything unknown.
 * @param {string} hash
 * @returns {Route}
 */
export function parseRoute(hash) {
  if (hash === '' || hash === '#' || hash === '#/') return { page: 'overview' };
  for (const [re, make] of ROUTES) {
    const m = re.exec(hash);
    const route = m && make(m);
    if (route) return route;
  }
  return { page: 'not-found', hash };
}

/** Links to pages. */
export const href = {
  overview: () => '#/',
  apiTokens: () => '#/api-tokens',
  /** @param {number | string} id */
  server: (id) => `#/server/${id}`,
  /** @param {number | string} id */
  sessions: (id) => `#/server/${id}/sessions`,
  /** @param {number | string} id */
  topSql: (id) => `#/server/${id}/top-sql`,
  /** @param {number | string} serverId @param {string} key database/role/queryid[/nested] */
  statement: (serverId, key) => `#/server/${serverId}/statement/${encodeURIComponent(key)}`,
  /** @param {number | string} serverId @param {string} database */
  database: (serverId, database) => `#/server/${serverId}/database/${encodeURIComponent(database)}`,
  /** @param {number | string} serverId @param {string} database @param {string} relation schema.name */
  table: (serverId, database, relation) =>
    `#/server/${serverId}/table/${encodeURIComponent(database)}/${encodeURIComponent(relation)}`,
  /** @param {number | string} agentId */
  host: (agentId) => `#/host/${agentId}`,
  /** @param {AlertTab} tab */
  alerts: (tab) => (tab === 'current' ? '#/alerts' : `#/alerts/${tab}`),
  /** @param {number | string} id */
  alert: (id) => `#/alerts/${id}`,
  /** The delivery history, of one webhook or alert when given. @param {{ webhookId?: number | string, alertId?: number | string }} [scope] */
  deliveries: (scope = {}) => {
    const q = new URLSearchParams();
    if (scope.webhookId !== undefined) q.set('webhookId', String(scope.webhookId));
    if (scope.alertId !== undefined) q.set('alertId', String(scope.alertId));
    const s = q.toString();
    return `#/alerts/deliveries${s ? `?${s}` : ''}`;
  },
  probeLog: () => '#/probe-log',
  /** @param {FleetTab} tab */
  fleet: (tab) => (tab === 'servers' ? '#/fleet' : `#/fleet/${tab}`),
  addServer: () => '#/fleet/servers/add',
  /** @param {number | string} id */
  editServer: (id) => `#/fleet/servers/${id}/edit`,
  addCluster: () => '#/fleet/clusters/add',
  maintenance: () => '#/maintenance',
  probes: () => '#/probes',
};
