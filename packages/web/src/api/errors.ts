/**
 * The API's error answers: every error is JSON `{"code": "PHAROS_...",
 * "error": "<what went wrong>", "field"?: "<input field at fault>"}`, the
 * code from the catalogue (docs/errors.md), so a client switches on `code`,
 * shows `error`, and puts it next to `field` in a form.
 *
 * - A Pharos error (a catalogue code) answers its own status: 400 for bad
 *   input (with its field), 404 for an unknown id, 409 for a state conflict;
 *   PHAROS_BACKEND_FAILING_OVER answers 503 with `Retry-After: 2`, and so
 *   does a failover-class error (core ha/errors.ts `isFailoverError`: a call
 *   deadline, no matching host, a dropped session) a route let through;
 *   PHAROS_BACKEND_TIMEOUT 504 (a statement the backend cancelled at its
 *   deadline; a route that let the connection's StatementTimeoutError through
 *   answers the same).
 * - fastify's own errors keep their status: a schema validation failure is
 *   400 PHAROS_API_VALIDATION naming the field (`/low` -> `low`, a missing or
 *   unknown property by name), a body too large 413, a wrong content type
 *   415, too many logins 429, any other bad request 400 PHAROS_API_BAD_REQUEST.
 * - A PostgreSQL data exception (SQLSTATE class 22: a number out of range,
 *   an invalid value) caused by the request is 400 PHAROS_API_DATA_INVALID.
 * - Anything else is a bug: logged, answered 500 PHAROS_INTERNAL_UNEXPECTED without details.
 */
import { ERRORS, type ErrorCode, errorMessage, PharosError, sqlStateOf } from '@pharos/core/errors';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import {
  BackendFailingOverError,
  BackendTimeoutError,
  isBackendTimeout,
  isBackendUnavailable,
} from '../backend.js';

/** The body of every error answer. */
export interface ApiErrorBody {
  code: ErrorCode;
  error: string;
  field?: string;
}

/** Sends `err` as the answer: its status, `{code, error, field?}`, Retry-After while failing over. */
export function replyError(reply: FastifyReply, err: PharosError): FastifyReply {
  if (err.code === 'PHAROS_BACKEND_FAILING_OVER') reply.header('retry-after', '2');
  return reply.code(err.statusCode).send(errorBody(err.code, err.message, err.field));
}

/** `{code, error, field?}` (field only when there is one). */
export function errorBody(code: ErrorCode, error: string, field?: string): ApiErrorBody {
  return field ? { code, error, field } : { code, error };
}

/** The catalogue code of one of fastify's own 4xx errors. */
function fastifyCode(err: FastifyError): ErrorCode {
  if (err.validation) return 'PHAROS_API_VALIDATION';
  if (err.statusCode === 413) return 'PHAROS_API_BODY_TOO_LARGE';
  if (err.statusCode === 415) return 'PHAROS_API_MEDIA_TYPE';
  if (err.statusCode === 429) return 'PHAROS_API_RATE_LIMITED';
  return 'PHAROS_API_BAD_REQUEST';
}

/** Longest path parameter the router accepts (fastify's maxParamLength). */
export const MAX_PARAM_LENGTH = 200;

/**
 * fastify's `frameworkErrors` option: errors the router raises before any route
 * (a URL that does not decode, a path parameter over {@link MAX_PARAM_LENGTH}),
 * answered in the same `{code, error}` shape.
 */
export function frameworkErrors(err: FastifyError, _request: unknown, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    reply
      .code(414)
      .send(
        errorBody(
          'PHAROS_API_URL_TOO_LONG',
          errorMessage('PHAROS_API_URL_TOO_LONG', { max: MAX_PARAM_LENGTH }),
        ),
      );
    return;
  }
  reply.code(400).send(errorBody('PHAROS_API_BAD_REQUEST', err.message));
}

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof PharosError && err.statusCode < 500) return replyError(reply, err);
    if (
      err instanceof PharosError &&
      (err.code === 'PHAROS_BACKEND_FAILING_OVER' || err.code === 'PHAROS_BACKEND_TIMEOUT')
    )
      return replyError(reply, err);
    if (isBackendTimeout(err)) return replyError(reply, new BackendTimeoutError(err));
    // A failover-class error a route let through unwrapped (a call deadline
    // passed on a loaded backend, no host matching yet, a dropped session) is
    // the backend being unavailable, not a bug: 503 as withFailoverRetry says it.
    if (isBackendUnavailable(err)) {
      request.log.warn({ err }, 'backend unavailable (error not wrapped by the route)');
      return replyError(reply, new BackendFailingOverError({ cause: err }));
    }
    const status = err.statusCode;
    if (!(err instanceof PharosError) && status !== undefined && status >= 400 && status < 500) {
      const code = fastifyCode(err);
      return reply.code(status).send(errorBody(code, err.message, validationField(err)));
    }
    if (sqlStateOf(err)?.startsWith('22')) {
      return reply
        .code(ERRORS.PHAROS_API_DATA_INVALID.status)
        .send(
          errorBody(
            'PHAROS_API_DATA_INVALID',
            errorMessage('PHAROS_API_DATA_INVALID', { reason: err.message }),
          ),
        );
    }
    request.log.error({ err }, 'request failed');
    return reply
      .code(500)
      .send(errorBody('PHAROS_INTERNAL_UNEXPECTED', errorMessage('PHAROS_INTERNAL_UNEXPECTED')));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = errorMessage('PHAROS_API_NO_ROUTE', {
      method: request.method,
      path: request.url.split('?')[0],
    });
    reply.code(404).send(errorBody('PHAROS_API_NO_ROUTE', error));
  });
}

/**
 * The field a schema validation error is about: the body, query or path
 * property (`/low` -> `low`; a missing or unknown property by its name), or undefined.
 */
export function validationField(err: FastifyError): string | undefined {
  const first = err.validation?.[0];
  if (!first) return undefined;
  const params = first.params as { missingProperty?: string; additionalProperty?: string } | undefined;
  const path = first.instancePath.split('/').filter(Boolean)[0];
  return path ?? params?.missingProperty ?? params?.additionalProperty;
}
