/**
 * `GET /api/alerts?limit=` (any logged-in user): current alerts by level and
 * the history of state changes, see {@link readAlerts}.
 */

import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { readAlerts } from './alerts-query.js';
import { alertCountsSchema, authErrorResponses } from './schemas.js';

const alertSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    template: { type: 'string' },
    appliesTo: { type: 'string', description: 'agent, server or database' },
    state: { type: 'string', enum: ['none', 'low', 'medium', 'high'] },
    enabled: { type: 'boolean' },
    changedAt: { type: 'string', format: 'date-time', description: 'last state change' },
    agentId: { type: ['integer', 'null'] },
    agentName: { type: ['string', 'null'] },
    serverId: { type: ['integer', 'null'] },
    serverName: { type: ['string', 'null'] },
  },
  required: ['id', 'template', 'appliesTo', 'state', 'enabled', 'changedAt', 'agentId', 'serverId'],
} as const;

const changeSchema = {
  type: 'object',
  properties: {
    alertId: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    event: { type: 'string', description: 'raised, changed, cleared, flapping_started, flapping_stopped' },
    oldState: { type: ['string', 'null'] },
    newState: { type: 'string' },
    value: { type: ['number', 'null'], description: 'the value that made the change, when recorded' },
    template: { type: 'string' },
    agentId: { type: ['integer', 'null'] },
    agentName: { type: ['string', 'null'] },
    serverId: { type: ['integer', 'null'] },
    serverName: { type: ['string', 'null'] },
  },
  required: ['alertId', 'at', 'event', 'oldState', 'newState', 'value', 'template', 'agentId', 'serverId'],
} as const;

const alertsAnswerSchema = {
  type: 'object',
  properties: {
    asOf: { type: 'string', format: 'date-time' },
    counts: alertCountsSchema,
    current: { type: 'array', items: alertSchema, description: 'enabled alerts in low/medium/high' },
    history: { type: 'array', items: changeSchema, description: 'state changes, newest first' },
    historySource: {
      type: 'string',
      enum: ['alert_history', 'last_change'],
      description: 'alert_history: every change; last_change: only the last change of each alert is known',
    },
  },
  required: ['asOf', 'counts', 'current', 'history', 'historySource'],
} as const;

/** Registers GET /api/alerts on `app`. */
export function registerAlertsRoute(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  app.get<{ Querystring: { limit?: number } }>(
    '/api/alerts',
    {
      schema: {
        summary: 'Current alerts by level and their history',
        tags: ['alerts'],
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } },
          additionalProperties: false,
        },
        response: { 200: alertsAnswerSchema, ...authErrorResponses },
      },
      preHandler: requireSession(store),
    },
    async (request) => readAlerts(db, request.query.limit ?? 200, request.log),
  );
}
