/**
 * `server_up` probe: can the agent connect to the server and run a query.
 * 1 when it can; 0 with the error text when it cannot (the failure itself is
 * the measurement, so it is recorded, not only logged).
 */
import type { Probe } from '../types.js';

/** The `server_up` probe. */
export const serverUpProbe: Probe = {
  name: 'server_up',
  level: 'server',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 5000,
  description: 'Server reachable and answering (1) or not (0, with the error)',
  sql: { 13: 'SELECT 1 AS up, NULL::text AS error' },
  columns: [
    { name: 'up', type: 'integer', unit: 'boolean' },
    { name: 'error', type: 'text', unit: 'text' },
  ],
  onError: (error) => [{ up: 0, error }],
};
