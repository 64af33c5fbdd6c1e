/**
 * Errors: the catalogue of codes (catalog.ts, docs/errors.md), the kinds
 * (kinds.ts), `pharosError` to make one (create.ts) and the exit-code table
 * (exit-codes.ts, docs/exit-codes.md). Modelled on fastify's lib/errors.js:
 * one table of codes, each with a message template, an HTTP status and a
 * class, and a test that counts them and checks the docs list the same set.
 */
export { ERRORS, type ErrorCode, type ErrorKind, type ErrorSpec } from './catalog.js';
export {
  type ErrorArgs,
  type ErrorOf,
  errorMessage,
  errorOfCode,
  fillTemplate,
  hasCode,
  isErrorCode,
  type ParamsOf,
  type ParamValue,
  type Placeholders,
  pharosError,
  rephrased,
} from './create.js';
export { EXIT, EXIT_MEANINGS, type ExitCode } from './exit-codes.js';
export {
  ConfigError,
  ConnectError,
  InputError,
  messageOf,
  PharosError,
  type PharosErrorOptions,
  sqlStateOf,
} from './kinds.js';
