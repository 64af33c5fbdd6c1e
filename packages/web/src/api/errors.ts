/**
 * The API's error answers: every error is JSON `{"error": "..."}`.
 * BackendFailingOverError -> 503 with `Retry-After: 2`; InputError (a request
 * that passed the schema but makes no sense, e.g. a reversed range) -> 400; fastify's own errors
 * (validation 400, 415, 429, body too large) keep their status with their
 * message; anything else is logged and answered 500 without details.
 */
import { InputError } from '@pharos/core/errors';
import type { FastifyError, FastifyInstance } from 'fastify';
import { BackendFailingOverError } from '../backend.js';

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof BackendFailingOverError) {
      return reply.code(503).header('retry-after', '2').send({ error: err.message });
    }
    if (err instanceof InputError) return reply.code(400).send({ error: err.message });
    const status = err.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: err.message });
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
}
