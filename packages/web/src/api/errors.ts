/**
 * The API's error answers: every error is JSON `{"error": "..."}`.
 * BackendFailingOverError -> 503 with `Retry-After: 2`; NotFoundError -> 404,
 * ConflictError -> 409 (both InputErrors, with their field); InputError (a request
 * that passed the schema but makes no sense, e.g. a reversed range) -> 400; fastify's own errors
 * (validation 400, 415, 429, body too large) keep their status with their
 * message; anything else is logged and answered 500 without details. A 400
 * about one body field also names it, `{"error": "...", "field": "low"}`
 * (InputError's field, or the field a schema check refused), so a form can
 * show the message next to that field.
 */
import { ConflictError, InputError, NotFoundError } from '@pharos/core/errors';
import type { FastifyError, FastifyInstance } from 'fastify';
import { BackendFailingOverError } from '../backend.js';

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof BackendFailingOverError) {
      return reply.code(503).header('retry-after', '2').send({ error: err.message });
    }
    if (err instanceof NotFoundError)
      return reply.code(404).send({ error: err.message, ...(err.field ? { field: err.field } : {}) });
    if (err instanceof ConflictError)
      return reply.code(409).send({ error: err.message, ...(err.field ? { field: err.field } : {}) });
    if (err instanceof InputError)
      return reply.code(400).send({ error: err.message, ...(err.field ? { field: err.field } : {}) });
    const status = err.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const field = validationField(err);
      return reply.code(status).send({ error: err.message, ...(field ? { field } : {}) });
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
}

/** The body field a schema validation error is about (`/low` -> `low`), or undefined. */
export function validationField(err: FastifyError): string | undefined {
  const first = err.validation?.[0];
  if (!first || err.validationContext !== 'body') return undefined;
  const params = first.params as { missingProperty?: string; additionalProperty?: string } | undefined;
  const path = first.instancePath.split('/').filter(Boolean)[0];
  return path ?? params?.missingProperty ?? params?.additionalProperty;
}
