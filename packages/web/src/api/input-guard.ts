/**
 * A request-wide guard, run after schema validation (fastify's preHandler):
 * values the schemas let through but PostgreSQL cannot take. A number that is
 * not finite (`Infinity`, `1e400`: the validator coerces such a path or query
 * string to a number and an integer schema accepts it) and a string holding a
 * NUL character (PostgreSQL's text cannot store U+0000: PostgreSQL docs §8.3
 * "Character Types", and jsonb refuses `\u0000`: §8.14) are answered 400
 * PHAROS_API_VALIDATION naming the request's property that holds it (the
 * message gives the whole path), before any handler or query runs.
 */

import { errorMessage } from '@pharos/core/errors';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './errors.js';

/** The path (`a.b[2]`) and problem of the first value PostgreSQL cannot take, or undefined. */
export function unstorableValue(value: unknown, path = ''): { field: string; problem: string } | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : { field: path, problem: 'must be a finite number' };
  }
  if (typeof value === 'string') {
    return value.includes('\u0000')
      ? { field: path, problem: 'must not contain a NUL character' }
      : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableValue(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000'))
        return { field: path || k, problem: 'must not have a key containing a NUL character' };
      const found = unstorableValue(v, path ? `${path}.${k}` : k);
      if (found) return found;
    }
  }
  return undefined;
}

/** Installs the guard on every route of `app` (see the module note). */
export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preHandler', async (request, reply) => {
    for (const part of [request.params, request.query, request.body]) {
      const found = unstorableValue(part);
      if (found) {
        const reason = `${found.field || 'the request'} ${found.problem}`;
        // the field named is the request's own property (`params` for `params.a`), as validation names it
        const field = /^[^.[]*/.exec(found.field)?.[0] ?? '';
        return reply
          .code(400)
          .send(
            errorBody(
              'PHAROS_API_VALIDATION',
              errorMessage('PHAROS_API_VALIDATION', { reason }),
              field || undefined,
            ),
          );
      }
    }
    return undefined;
  });
}
