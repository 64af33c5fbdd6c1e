/**
 * @pharos/core — what every stage shares, and nothing of a stage itself:
 * errors (a catalogue of codes), settings files, logging, libpq connection
 * strings (conninfo/), the HA connection that follows the primary through
 * failovers (ha/) and the query surface over it (query), host
 * identity, and the PKI (pki/: CA, certificates, CSRs, CRLs, key files).
 *
 * Contract: depends on no other @pharos package. Consumers import the
 * module they need by its subpath (`@pharos/core/ha/connection`), which
 * keeps a long-running agent's memory to what it uses; this index re-exports
 * the same API for readers and tools.
 */
export * from './conninfo/format.js';
export { passwordFromPassfile } from './conninfo/pgpass.js';
export * from './conninfo/resolve.js';
export * from './conninfo/types.js';
export * from './errors/index.js';
export * from './ha/connection.js';
export {
  DeadlineError,
  InsecureAuthError,
  isFailoverError,
  NoHostError,
  NoPasswordError,
  SessionDroppedError,
  StatementTimeoutError,
} from './ha/errors.js';
export * from './host-identity.js';
export * from './log.js';
export * from './query.js';
export * from './settings/index.js';
