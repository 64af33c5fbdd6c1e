// @ts-check
// The maintenance window routes (packages/web/src/api/maintenance.ts;
// docs/web-api.md "Maintenance windows"): everyone reads, pem_admin starts
// and stops. Types are the server's own declarations.
import { call, query } from './api.js';

/** @typedef {import('../../dist/api/shapes/maintenance.js').MaintenanceWindow} MaintenanceWindow */
/** @typedef {import('../../dist/api/shapes/maintenance.js').MaintenanceNow} MaintenanceNow */
/** @typedef {import('../../dist/api/shapes/maintenance.js').MaintenanceStartBody} MaintenanceStartBody */
/** @typedef {import('../../dist/api/shapes/maintenance.js').MaintenanceStopped} MaintenanceStopped */

/**
 * Active and scheduled windows; `all`: stopped and past ones too.
 * @param {boolean} [all]
 * @returns {Promise<MaintenanceWindow[]>}
 */
export const listMaintenance = (all = false) =>
  call('GET', `/api/maintenance${all ? query({ all: 'true' }) : ''}`);

/**
 * Starts a window (pem_admin).
 * @param {MaintenanceStartBody} body
 * @returns {Promise<MaintenanceWindow>}
 */
export const startMaintenance = (body) => call('POST', '/api/maintenance', body);

/**
 * Stops window `id` now (pem_admin).
 * @param {number} id
 * @returns {Promise<MaintenanceStopped>}
 */
export const stopMaintenance = (id) => call('POST', `/api/maintenance/${encodeURIComponent(id)}/stop`, {});
