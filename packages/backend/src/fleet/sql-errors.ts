/**
 * The errors the fleet's SQL functions raise (sql/functions/fleet/,
 * registration/, tasks/) as Pharos errors: each names the API field at fault
 * in the error's COLUMN (node-pg's `column`), and its SQLSTATE says what
 * kind of problem it is:
 *
 * | SQLSTATE | meaning                                   | error          | HTTP |
 * |----------|-------------------------------------------|----------------|------|
 * | 22023    | a value is not valid                      | InputError     | 400  |
 * | 23505    | it clashes with what exists (a duplicate) | ConflictError  | 409  |
 * | P0002    | it names something that does not exist    | NotFoundError  | 404  |
 * | 55000    | the system is not in a state to do it     | ConflictError  | 409  |
 *
 * Anything else is rethrown unchanged (a backend failover stays a
 * failover-class error; a bug stays a 500).
 */
import { ConflictError, InputError, NotFoundError } from '@pharos/core/errors';

/** The Pharos error for `err` when it is one of the table's, else `err` itself. */
export function fleetError(err: unknown): unknown {
  const e = err as { code?: unknown; column?: unknown; message?: unknown } | null;
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string') return err;
  const opts = { cause: err, ...(typeof e.column === 'string' && e.column ? { field: e.column } : {}) };
  switch (e.code) {
    case '22023':
      return new InputError(e.message, opts);
    case '23505':
    case '55000':
      return new ConflictError(e.message, opts);
    case 'P0002':
      return new NotFoundError(e.message, opts);
    default:
      return err;
  }
}

/** Runs `fn`, turning the fleet functions' errors into Pharos errors ({@link fleetError}). */
export async function withFleetErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fleetError(err);
  }
}
