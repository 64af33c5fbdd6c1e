/**
 * Host page routes (any logged-in user): an agent's own host, from the OS
 * probes it runs (cpu, load_avg, memory, swap, disk_space per mount,
 * disk_io per device, network per interface, os_info):
 *
 * - `GET /api/agents/:id`: the agent, its bound servers and the host
 *   probes with data (404 PHAROS_AGENT_NOT_FOUND when there is no such agent);
 * - `GET /api/agents/:id/latest?probe=`: the latest value of every object
 *   of one host probe (its newest run);
 * - `GET /api/agents/:id/series?probe=&fields=&...`: a host probe's fields
 *   over a time range, as GET /api/servers/:id/series (series.ts).
 *
 * 400 for a probe the agents do not have (PHAROS_SERIES_PROBE_UNKNOWN) or
 * that is no host probe (PHAROS_SERIES_NOT_HOST_PROBE).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pharosError } from '@pharos/core/errors';
import type { Queryable, Transactional } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { PROBE_META } from '../../ui/contract/probe-columns.js';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { readHostDetail, readHostLatest } from './host-query.js';
import { checkProbeNames } from './probe-names.js';
import { readSeries } from './series-query.js';
import { DEFAULT_POINTS, parseRange, planSeries } from './series-range.js';
import { authErrorResponses } from './shapes/common.js';
import { AgentIdParams, HostDetail, HostLatestAnswer, HostLatestQuery } from './shapes/host.js';
import { HostSeriesQuery, SeriesAnswer } from './shapes/series.js';

/** @throws PHAROS_SERIES_NOT_HOST_PROBE (field probe) when `probe` is an agent's probe but no host probe. */
function requireHostProbe(probe: string): void {
  const meta: Record<string, { level: string }> = PROBE_META;
  if (Object.hasOwn(meta, probe) && meta[probe]!.level !== 'agent')
    throw pharosError(
      'PHAROS_SERIES_NOT_HOST_PROBE',
      { probe, level: meta[probe]!.level },
      { field: 'probe' },
    );
}

/** Registers the host routes on `app`. */
export function registerHostRoutes(
  app: FastifyInstance,
  db: Queryable & Transactional,
  store: SessionStore,
): void {
  const withSession = requireSession(store);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/api/agents/:id',
    {
      schema: {
        summary: "An agent's host: the agent, its servers and the host probes with data",
        tags: ['charts'],
        params: AgentIdParams,
        response: { 200: HostDetail, ...authErrorResponses },
      },
      preHandler: withSession,
    },
    async (request) => {
      const detail = await readHostDetail(db, request.params.id, request.log);
      if (!detail)
        throw pharosError(
          'PHAROS_AGENT_NOT_FOUND',
          { detail: `no agent ${request.params.id}` },
          { field: 'id' },
        );
      return detail;
    },
  );
  api.get(
    '/api/agents/:id/latest',
    {
      schema: {
        summary: 'The latest value of every object of one host probe of an agent',
        tags: ['charts'],
        params: AgentIdParams,
        querystring: HostLatestQuery,
        response: { 200: HostLatestAnswer, ...authErrorResponses },
      },
      preHandler: withSession,
    },
    async (request) => {
      await checkProbeNames(db, request.query.probe, undefined, request.log);
      requireHostProbe(request.query.probe);
      return {
        agentId: request.params.id,
        probe: request.query.probe,
        rows: await readHostLatest(db, request.params.id, request.query.probe, request.log),
      };
    },
  );
  api.get(
    '/api/agents/:id/series',
    {
      schema: {
        summary: "A host probe's fields over a time range, downsampled in the backend",
        tags: ['charts'],
        params: AgentIdParams,
        querystring: HostSeriesQuery,
        response: { 200: SeriesAnswer, ...authErrorResponses },
      },
      preHandler: withSession,
    },
    async (request) => {
      const q = request.query;
      const fields = [...new Set(q.fields.split(','))];
      await checkProbeNames(db, q.probe, fields, request.log);
      requireHostProbe(q.probe);
      const [fromS, toS] = parseRange(q.from, q.to, Date.now() / 1000);
      const plan = planSeries(fromS, toS, q.points ?? DEFAULT_POINTS);
      const answer = await readSeries(
        db,
        {
          serverId: 0,
          agentId: request.params.id,
          probe: q.probe,
          fields,
          mode: q.mode ?? 'gauge',
          object: q.object,
          plan,
        },
        request.log,
      );
      return { ...answer, serverId: 0 };
    },
  );
}
