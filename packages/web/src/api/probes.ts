/**
 * Probes (issue 18; docs/custom-probes.md, docs/web-api.md "Probes"): every
 * logged-in user lists them; pem_admin members define, change and remove
 * custom probes. The work is done by @pharos/backend/probes/custom-probes.
 *
 * - `GET /api/probes?custom=`: every probe (built-in and custom) with its
 *   definition; `GET /api/probes/:name`: one.
 * - `POST /api/probes/check` (admin): the agent of `checkServerId` runs the
 *   probe there as its monitor will (read-only, the probe's statement
 *   timeout); 200 with what it found, nothing written.
 * - `POST /api/probes` (admin): checks, then creates; a failed check answers
 *   422 PHAROS_PROBE_CHECK_FAILED with PostgreSQL's message, the field
 *   (`sql`, `columns`) and the check (the text's major `sqlKey`, the
 *   error's `position` in it);
 *   nothing is written.
 * - `PUT /api/probes/:name` (admin): checks, then replaces the custom probe.
 * - `DELETE /api/probes/:name` (admin): removes it (its history stays until
 *   retention).
 * Agents are told at commit and run a new or changed probe from their next tick.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  type CustomProbeCheck,
  checkDefinition,
  checkOnServer,
  fieldOfCheck,
  getProbe,
  listProbes,
  removeCustomProbe,
  saveCustomProbe,
} from '@pharos/backend/probes/custom-probes';
import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireAdmin, requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { withFailoverRetry, withoutRetry } from '../backend.js';
import { authErrorResponses } from './shapes/common.js';
import {
  CustomProbeCheck as CheckShape,
  CustomProbeBody,
  ProbeCheckFailed,
  ProbeDefinition,
  ProbeListQuery,
  ProbeNameParams,
  ProbeRemoved,
  ProbeSaved,
} from './shapes/probes.js';

/** Answers 422 PHAROS_PROBE_CHECK_FAILED for a failed check (nothing written). */
function checkFailed(reply: FastifyReply, check: CustomProbeCheck) {
  return reply.code(422).send({
    code: 'PHAROS_PROBE_CHECK_FAILED',
    error: check.message,
    field: fieldOfCheck(check),
    check,
  });
}

/** The server to check on: required for a save or a check. */
function checkServerOf(body: { checkServerId?: number | undefined }): number {
  if (body.checkServerId === undefined)
    throw pharosError(
      'PHAROS_PROBE_INVALID',
      { detail: 'checkServerId: choose the server whose agent checks the probe before it is saved' },
      { field: 'checkServerId' },
    );
  return body.checkServerId;
}

/** Registers the /api/probes routes on `app`. */
export function registerProbeRoutes(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  const session = requireSession(store);
  const admin = [session, requireAdmin];
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['probes'];
  const actorOf = (req: FastifyRequest) => req.pharosSession!.roleName;

  api.get(
    '/api/probes',
    {
      schema: {
        summary: 'Every probe, built-in and custom, with its definition',
        tags,
        querystring: ProbeListQuery,
        response: { 200: Type.Array(ProbeDefinition), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) =>
      withFailoverRetry(() => listProbes(db, req.query.custom === true), {
        logger: req.log,
        what: 'list probes',
      }),
  );

  api.get(
    '/api/probes/:name',
    {
      schema: {
        summary: 'One probe with its definition',
        tags,
        params: ProbeNameParams,
        response: { 200: ProbeDefinition, ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) => {
      const p = await withFailoverRetry(() => getProbe(db, req.params.name), {
        logger: req.log,
        what: 'get probe',
      });
      if (!p)
        throw pharosError(
          'PHAROS_PROBE_NOT_FOUND',
          { detail: `there is no probe ${req.params.name}` },
          { field: 'name' },
        );
      return p;
    },
  );

  api.post(
    '/api/probes/check',
    {
      schema: {
        summary:
          "Check a custom probe on a server from its agent (read-only, the probe's timeout); nothing is written",
        tags,
        body: CustomProbeBody,
        response: { 200: CheckShape, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      const d = checkDefinition(req.body);
      const serverId = checkServerOf(req.body);
      return withoutRetry(() => checkOnServer(db, actorOf(req), d, serverId, req.body.checkDatabase));
    },
  );

  api.post(
    '/api/probes',
    {
      schema: {
        summary:
          'Define a custom probe: checked on a server by its agent first, nothing written if the check fails',
        tags,
        body: CustomProbeBody,
        response: { 201: ProbeSaved, 422: ProbeCheckFailed, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req, reply) => {
      const d = checkDefinition(req.body);
      const serverId = checkServerOf(req.body);
      const actor = actorOf(req);
      const check = await withoutRetry(() => checkOnServer(db, actor, d, serverId, req.body.checkDatabase));
      if (!check.ok) return checkFailed(reply, check);
      await withoutRetry(() => saveCustomProbe(db, actor, d, false));
      req.log.info({ actor, probe: d.name }, 'custom probe defined');
      return reply.code(201).send({ probe: (await withoutRetry(() => getProbe(db, d.name)))!, check });
    },
  );

  api.put(
    '/api/probes/:name',
    {
      schema: {
        summary:
          'Change a custom probe: checked on a server by its agent first, nothing written if the check fails',
        tags,
        params: ProbeNameParams,
        body: CustomProbeBody,
        response: { 200: ProbeSaved, 422: ProbeCheckFailed, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req, reply) => {
      if (req.body.name !== undefined && req.body.name !== req.params.name)
        throw pharosError(
          'PHAROS_PROBE_INVALID',
          {
            detail: `name: a probe is not renamed (${req.params.name} in the path, ${req.body.name} in the body)`,
          },
          { field: 'name' },
        );
      const d = checkDefinition({ ...req.body, name: req.params.name });
      const serverId = checkServerOf(req.body);
      const actor = actorOf(req);
      const check = await withoutRetry(() => checkOnServer(db, actor, d, serverId, req.body.checkDatabase));
      if (!check.ok) return checkFailed(reply, check);
      await withoutRetry(() => saveCustomProbe(db, actor, d, true));
      req.log.info({ actor, probe: d.name }, 'custom probe changed');
      return reply.send({ probe: (await withoutRetry(() => getProbe(db, d.name)))!, check });
    },
  );

  api.delete(
    '/api/probes/:name',
    {
      schema: {
        summary: 'Remove a custom probe (its history stays until retention)',
        tags,
        params: ProbeNameParams,
        response: { 200: ProbeRemoved, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      await withoutRetry(() => removeCustomProbe(db, actorOf(req), req.params.name));
      req.log.info({ actor: actorOf(req), probe: req.params.name }, 'custom probe removed');
      return { removed: req.params.name };
    },
  );
}
