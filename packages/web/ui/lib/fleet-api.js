// @ts-check
// The browser's client of the fleet API (docs/web-api.md "Fleet"):
// monitored servers, Patroni clusters, agents and enrolment tokens. The
// answers' shapes are the contract's (contract/fleet.ts), which the server's
// routes are checked against. Writes go through api.js's call (CSRF token);
// a 400 names the field (ApiError.field), a 422 carries the failed test
// (ApiError.body).
import { call, query } from './api.js';

/** @typedef {import('../contract/fleet.js').MonitoredServer} MonitoredServer */
/** @typedef {import('../contract/fleet.js').TestConnectionResult} TestConnectionResult */
/** @typedef {import('../contract/fleet.js').Preparation} Preparation */
/** @typedef {import('../contract/fleet.js').FleetAgentView} FleetAgentView */
/** @typedef {import('../contract/fleet.js').EnrolmentToken} EnrolmentToken */
/** @typedef {import('../contract/fleet.js').CreatedToken} CreatedToken */
/** @typedef {import('../contract/fleet.js').MonitoredClusterView} MonitoredClusterView */
/** @typedef {import('../contract/fleet.js').ClusterReading} ClusterReading */
/** @typedef {import('../contract/fleet.js').MemberTest} MemberTest */
/** @typedef {import('../contract/fleet.js').Sslmode} Sslmode */
/**
 * How an agent reaches a server (the body of a test, and the connection part of an add).
 * @typedef {{ host: string, port: number, maintenanceDb: string, user: string, sslmode: Sslmode, sslrootcert: string | null, agentId: number }} ServerConnection
 */

/** @param {number | string} n */
const id = (n) => encodeURIComponent(n);

/**
 * Every monitored server, or those with all of `tags`.
 * @param {string[]} [tags]
 * @returns {Promise<MonitoredServer[]>}
 */
export const listServers = (tags = []) => call('GET', `/api/servers${query({ tag: tags.join(',') })}`);

/**
 * Has the agent test the connection as it would monitor the server; nothing is written.
 * @param {ServerConnection} body
 * @returns {Promise<TestConnectionResult>}
 */
export const testConnection = (body) => call('POST', '/api/servers/test', body);

/**
 * What the server needs before the agent can monitor it (role, HBA rule, passfile line, TLS).
 * @param {ServerConnection} body
 * @returns {Promise<Preparation>}
 */
export const prepareServer = (body) => call('POST', '/api/servers/prepare', body);

/**
 * Adds a server, tested from its agent first (422 with the test when it fails: nothing added).
 * @param {ServerConnection & { displayName: string, tags: string[], notes: string }} body
 * @returns {Promise<{ server: MonitoredServer, test: TestConnectionResult | null }>}
 */
export const addServer = (body) => call('POST', '/api/servers', body);

/**
 * Changes a server; a change of how the agent connects is tested first (422 as for an add).
 * @param {number} serverId
 * @param {Record<string, unknown>} changes
 * @returns {Promise<{ server: MonitoredServer, test: TestConnectionResult | null }>}
 */
export const changeServer = (serverId, changes) => call('PATCH', `/api/servers/${id(serverId)}`, changes);

/**
 * Removes a server: binding, alerts, state; its history too when `purgeHistory`.
 * @param {number} serverId
 * @param {boolean} purgeHistory
 * @returns {Promise<{ id: number, server: string, alerts: number, latest: number, probeLog: number, historySamples: number, historyRollups: number }>}
 */
export const removeServer = (serverId, purgeHistory) =>
  call('DELETE', `/api/servers/${id(serverId)}${query({ purgeHistory: purgeHistory || undefined })}`);

/**
 * Registered agents.
 * @returns {Promise<FleetAgentView[]>}
 */
export const listAgents = () => call('GET', '/api/agents');

/**
 * Unregisters an agent (refused while it monitors servers).
 * @param {number} agentId
 * @returns {Promise<{ actions: string[] }>}
 */
export const unregisterAgent = (agentId) => call('DELETE', `/api/agents/${id(agentId)}`);

/**
 * Enrolment tokens (never the tokens themselves), newest first.
 * @returns {Promise<EnrolmentToken[]>}
 */
export const listTokens = () => call('GET', '/api/enrolment-tokens');

/**
 * Issues a one-time enrolment token: the answer is the only time it is shown.
 * @param {string} name
 * @param {number} validForS
 * @returns {Promise<CreatedToken>}
 */
export const createToken = (name, validForS) => call('POST', '/api/enrolment-tokens', { name, validForS });

/**
 * Revokes a token.
 * @param {number} tokenId
 * @returns {Promise<{ id: number, revoked: boolean }>}
 */
export const revokeToken = (tokenId) => call('DELETE', `/api/enrolment-tokens/${id(tokenId)}`);

/**
 * Monitored Patroni clusters.
 * @returns {Promise<MonitoredClusterView[]>}
 */
export const listClusters = () => call('GET', '/api/clusters');

/**
 * Has the agent read a cluster's GET /cluster from the endpoints; nothing is written.
 * @param {{ restEndpoints: string[], restCafile: string | null, agentId: number }} body
 * @returns {Promise<{ ok: boolean, reading?: ClusterReading, message?: string }>}
 */
export const readCluster = (body) => call('POST', '/api/clusters/read', body);

/**
 * Adds a cluster: read by the follower, every member tested from its agent, then registered (422: nothing added).
 * @param {Record<string, unknown>} body
 * @returns {Promise<{ cluster: MonitoredClusterView, reading: ClusterReading, tests: MemberTest[] }>}
 */
export const addCluster = (body) => call('POST', '/api/clusters', body);

/**
 * Removes a cluster and every member's server.
 * @param {number} clusterId
 * @param {boolean} purgeHistory
 * @returns {Promise<{ id: number, cluster: string, servers: { id: number, server: string }[] }>}
 */
export const removeCluster = (clusterId, purgeHistory) =>
  call('DELETE', `/api/clusters/${id(clusterId)}${query({ purgeHistory: purgeHistory || undefined })}`);
