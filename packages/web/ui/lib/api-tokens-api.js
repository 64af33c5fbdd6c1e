// @ts-check
// The UI's client of the API token routes (packages/web/src/api/api-tokens.ts):
// list, make (the answer holds the token, shown once) and revoke.
import { call, query } from './api.js';

/** @typedef {import('../../dist/auth/api-token-store.js').ApiTokenInfo} ApiTokenInfo */
/** @typedef {import('../../dist/auth/api-token-store.js').NewApiToken} NewApiToken */

/**
 * API tokens of the user's role, or of every role (`all`, administrators).
 * @param {boolean} all
 * @returns {Promise<ApiTokenInfo[]>}
 */
export const listApiTokens = (all) => call('GET', `/api/api-tokens${query({ all: all ? 'true' : '' })}`);

/**
 * Makes a token of the user's role.
 * @param {{ name: string, validForS: number }} body
 * @returns {Promise<NewApiToken>}
 */
export const createApiToken = (body) => call('POST', '/api/api-tokens', body);

/**
 * Revokes a token.
 * @param {number} id
 * @returns {Promise<{ id: number, revoked: boolean }>}
 */
export const revokeApiToken = (id) => call('DELETE', `/api/api-tokens/${encodeURIComponent(id)}`);
