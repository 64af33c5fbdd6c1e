// @ts-check
// The browser's client of the probe routes (/api/probes, docs/custom-probes.md):
// every probe with its definition, and for administrators the check, create,
// change and removal of custom probes. Writes go through api.js's call (CSRF
// token); 400 answers carry the field at fault, a failed check answers 422
// with the check (ApiError.body).
import { ApiError, call, query } from './api.js';

/**
 * A probe with its definition (GET /api/probes; backend probes/custom-probes.ts ProbeRow).
 * @typedef {import('../../../backend/dist/probes/custom-probes.js').ProbeRow} ProbeDefinition
 */
/**
 * What the agent's check found (backend probes/custom-probe-shapes.ts).
 * @typedef {import('../../../backend/dist/probes/custom-probe-shapes.js').CustomProbeCheck} ProbeCheck
 */

/**
 * Every probe (custom only when `custom`).
 * @param {boolean} [custom]
 * @returns {Promise<ProbeDefinition[]>}
 */
export const listProbes = (custom = false) =>
  call('GET', `/api/probes${query(custom ? { custom: true } : {})}`);

/**
 * The check of a probe on its `checkServerId` (nothing written).
 * @param {Record<string, unknown>} body
 * @returns {Promise<ProbeCheck>}
 */
export const checkProbe = (body) => call('POST', '/api/probes/check', body);

/**
 * Creates (`name` undefined) or changes custom probe `name`: resolves with the
 * check, rejects with an ApiError whose `check` is set when the check failed.
 * @param {Record<string, unknown>} body
 * @param {string} [name]
 * @returns {Promise<{ probe: ProbeDefinition, check: ProbeCheck }>}
 */
export async function saveProbe(body, name) {
  try {
    return await (name === undefined
      ? call('POST', '/api/probes', body)
      : call('PUT', `/api/probes/${encodeURIComponent(name)}`, body));
  } catch (err) {
    if (err instanceof ApiError && err.status === 422 && err.body && typeof err.body === 'object')
      throw Object.assign(err, { check: /** @type {{ check?: ProbeCheck }} */ (err.body).check });
    throw err;
  }
}

/**
 * Removes custom probe `name`.
 * @param {string} name
 */
export const removeProbe = (name) => call('DELETE', `/api/probes/${encodeURIComponent(name)}`);

/**
 * The monitored servers (id and name), for the "check on" and "run on" choices.
 * @returns {Promise<{ id: number, displayName: string, tags: string[] }[]>}
 */
export const listServers = () => call('GET', '/api/servers');
