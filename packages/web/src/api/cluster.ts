/**
 * `GET /api/cluster` (any logged-in user): the backend's HA stack as this
 * instance sees it right now, Patroni members and etcd health (see
 * cluster/status.ts). Answers 200 even when no API answers: the body says
 * which did not, which is what an operator needs during a failover.
 */
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import type { ClusterStatusReader } from '../cluster/status.js';
import { authErrorResponses } from './schemas.js';

const apiSchema = {
  type: 'object',
  properties: { url: { type: 'string' }, reachable: { type: 'boolean' }, error: { type: 'string' } },
  required: ['url', 'reachable'],
} as const;

const memberSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    role: { type: 'string', description: 'leader, replica, sync_standby, standby_leader...' },
    state: { type: 'string', description: 'running, streaming, stopped...' },
    host: { type: ['string', 'null'] },
    port: { type: ['integer', 'null'] },
    timeline: { type: ['integer', 'null'] },
    lagBytes: { type: ['number', 'null'] },
    apiUrl: { type: ['string', 'null'] },
    apiReachable: { type: ['boolean', 'null'] },
  },
  required: ['name', 'role', 'state', 'host', 'port', 'timeline', 'lagBytes', 'apiUrl', 'apiReachable'],
} as const;

/** Answer of GET /api/cluster. */
export const clusterSchema = {
  type: 'object',
  properties: {
    checkedAt: { type: 'string', format: 'date-time' },
    patroni: {
      type: 'object',
      properties: {
        scope: { type: ['string', 'null'] },
        paused: { type: 'boolean' },
        members: { type: 'array', items: memberSchema },
        apis: { type: 'array', items: apiSchema },
      },
      required: ['scope', 'paused', 'members', 'apis'],
    },
    etcd: {
      type: 'object',
      properties: {
        configured: { type: 'boolean', description: 'false when the configuration names no etcd endpoint' },
        members: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              endpoint: { type: 'string' },
              healthy: { type: 'boolean' },
              error: { type: 'string' },
            },
            required: ['endpoint', 'healthy'],
          },
        },
      },
      required: ['configured', 'members'],
    },
  },
  required: ['checkedAt', 'patroni', 'etcd'],
} as const;

/** Registers GET /api/cluster on `app`. */
export function registerClusterRoute(
  app: FastifyInstance,
  reader: ClusterStatusReader,
  store: SessionStore,
): void {
  app.get(
    '/api/cluster',
    {
      schema: {
        summary: "The backend's HA stack: Patroni members and etcd health",
        tags: ['overview'],
        response: { 200: clusterSchema, ...authErrorResponses },
      },
      preHandler: requireSession(store),
    },
    async () => reader.read(),
  );
}
