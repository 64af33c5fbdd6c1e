/**
 * The overview's answers, shared by every request this instance serves for a
 * short while ({@link FLEET_CACHE_MS}): however many users poll GET /api/fleet
 * for the same page (same limit, offsets, order and filters), the backend is
 * asked at most once per period per instance for it, and requests that arrive
 * while it is being asked wait for that one answer. At most
 * {@link FLEET_CACHE_PAGES} pages are kept (least recently used first out).
 * An answer is the same for every logged-in user (no per-session state is
 * kept, so any instance still serves any session); a failed read is not kept
 * (the next request asks again). A read still running when its page is pushed
 * out of the cache gives its answer to the requests waiting for it (not kept).
 */
import { pharosError } from '@pharos/core/errors';
import { LRUCache } from 'lru-cache';
import type { LogSink } from '../backend.js';
import { FIRST_PAGE, type FleetPageQuery } from './fleet-query.js';

/** How long one overview answer is served, milliseconds (ages in it stay relative to its asOf). */
export const FLEET_CACHE_MS = 2000;

/** How many different pages (queries) are kept at once. */
export const FLEET_CACHE_PAGES = 64;

/** Reads the overview's JSON text of page `q` (readFleetJson); `logger` is the asking request's. */
export type FleetLoader = (q: FleetPageQuery, logger?: LogSink) => Promise<string>;

/** The shared answers. */
export interface FleetCache {
  /**
   * Page `q` (default the first page, problems first) as UTF-8 JSON: the kept
   * one while younger than the period, else a fresh one (one read however many
   * callers wait). Rejects with the loader's error (e.g. BackendFailingOverError)
   * to every waiting caller.
   */
  get(q?: FleetPageQuery, logger?: LogSink): Promise<Buffer>;
}

/** Options of {@link createFleetCache}. */
export interface FleetCacheOptions {
  /** Period in milliseconds (default {@link FLEET_CACHE_MS}). */
  ttlMs?: number;
  /** Clock (milliseconds, monotonic), for tests; default `performance`. */
  clock?: { now(): number };
}

interface LoadContext {
  q: FleetPageQuery;
  logger: LogSink | undefined;
}

/** Builds the shared answers over `load`. */
export function createFleetCache(load: FleetLoader, opts: FleetCacheOptions = {}): FleetCache {
  const cache = new LRUCache<string, Buffer, LoadContext>({
    max: FLEET_CACHE_PAGES,
    ttl: opts.ttlMs ?? FLEET_CACHE_MS,
    ttlResolution: 0,
    // A read still running when its page is pushed out (more than
    // FLEET_CACHE_PAGES other pages asked meanwhile: many different queries
    // while the backend is slow) or replaced would otherwise be aborted and
    // every request waiting for it fail with lru-cache's Error('evicted'), a
    // 500. It finishes instead, and its waiters get its answer (not kept).
    ignoreFetchAbort: true,
    ...(opts.clock ? { perf: opts.clock } : {}),
    fetchMethod: async (_key, _stale, { context }) => Buffer.from(await load(context.q, context.logger)),
  });
  return {
    async get(q = FIRST_PAGE, logger) {
      const key = JSON.stringify([q.limit, q.offset, q.agentOffset, q.order, q.status, q.clusterId, q.name]);
      const body = await cache.fetch(key, { context: { q, logger } });
      if (body === undefined) throw pharosError('PHAROS_INTERNAL_FLEET_CACHE');
      return body;
    },
  };
}
