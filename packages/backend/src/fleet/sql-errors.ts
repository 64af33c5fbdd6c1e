/**
 * The errors the fleet's SQL functions raise (sql/functions/fleet/,
 * registration/, tasks/) as catalogue errors (docs/errors.md): each SQL
 * error names the API field at fault in its COLUMN (node-pg's `column`),
 * and its SQLSTATE says what kind of problem it is; the area of the call
 * (server, cluster, agent, token, enrol, task) picks the code:
 *
 * | SQLSTATE | meaning                                   | HTTP | code (server area)                                  |
 * |----------|-------------------------------------------|------|-----------------------------------------------------|
 * | 22023    | a value is not valid                      | 400  | PHAROS_SERVER_INVALID                               |
 * | 23505    | it clashes with what exists (a duplicate) | 409  | PHAROS_SERVER_DUPLICATE (host:port), _NAME_TAKEN     |
 * | P0002    | it names something that does not exist    | 404  | PHAROS_SERVER_NOT_FOUND (id), PHAROS_AGENT_NOT_FOUND (agentId) |
 * | 55000    | the system is not in a state to do it     | 409  | PHAROS_SERVER_STATE                                 |
 *
 * The message is the SQL function's (it names the field and the value, e.g.
 * `no server 7 (already removed?)`); `field` is its COLUMN. Anything else is rethrown unchanged (a backend
 * failover stays a failover-class error; a bug stays a 500).
 */
import { type ErrorCode, errorOfCode } from '@pharos/core/errors';

/** What a call is about: it picks the catalogue codes of the SQL errors. */
export type FleetArea = 'server' | 'cluster' | 'agent' | 'token' | 'enrol' | 'task';

/** The code of a SQL error `state` about `column` in `area`, or undefined (rethrown as it is). */
export function fleetCode(area: FleetArea, state: string, column: string | undefined): ErrorCode | undefined {
  if (state === 'P0002' && column === 'agentId') return 'PHAROS_AGENT_NOT_FOUND';
  if (state === '23505' && area !== 'enrol') {
    if (column === 'displayName') return 'PHAROS_SERVER_NAME_TAKEN';
    if (area === 'cluster' && column === 'name') return 'PHAROS_CLUSTER_NAME_TAKEN';
    return 'PHAROS_SERVER_DUPLICATE';
  }
  const table: Record<FleetArea, Partial<Record<string, ErrorCode>>> = {
    server: {
      '22023': 'PHAROS_SERVER_INVALID',
      '55000': 'PHAROS_SERVER_STATE',
      P0002: 'PHAROS_SERVER_NOT_FOUND',
    },
    cluster: {
      '22023': 'PHAROS_CLUSTER_INVALID',
      '55000': 'PHAROS_CLUSTER_STATE',
      P0002: 'PHAROS_CLUSTER_NOT_FOUND',
    },
    agent: {
      '22023': 'PHAROS_AGENT_INVALID',
      '55000': 'PHAROS_AGENT_IN_USE',
      P0002: 'PHAROS_AGENT_NOT_FOUND',
    },
    token: { '22023': 'PHAROS_TOKEN_INVALID', '55000': 'PHAROS_TOKEN_USED', P0002: 'PHAROS_TOKEN_NOT_FOUND' },
    enrol: {
      '22023': column === 'token' ? 'PHAROS_ENROL_TOKEN_REFUSED' : 'PHAROS_ENROL_INVALID',
      '23505': 'PHAROS_ENROL_CONFLICT',
      '55000': 'PHAROS_ENROL_NOT_POSSIBLE',
    },
    task: { '22023': 'PHAROS_TASK_INVALID' },
  };
  // a member of a cluster can fail a server check (re-raised with its SQLSTATE)
  if (area === 'cluster' && state === '22023' && column !== undefined && column !== 'restEndpoints') {
    return 'PHAROS_CLUSTER_INVALID';
  }
  return table[area][state];
}

/**
 * The catalogue error for `err` when it is one of the fleet functions' (see
 * the module note), else `err` itself: the code of its area and SQLSTATE,
 * the SQL function's message as it is, its COLUMN as `field`.
 */
export function fleetError(err: unknown, area: FleetArea): unknown {
  const e = err as { code?: unknown; column?: unknown; message?: unknown } | null;
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string') return err;
  const column = typeof e.column === 'string' && e.column ? e.column : undefined;
  const code = fleetCode(area, e.code, column);
  if (code === undefined) return err;
  return errorOfCode(code, e.message, { cause: err, ...(column ? { field: column } : {}) });
}

/** Runs `fn`, turning the fleet functions' errors into catalogue errors ({@link fleetError}). */
export async function withFleetErrors<T>(area: FleetArea, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fleetError(err, area);
  }
}
