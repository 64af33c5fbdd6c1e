/**
 * The overview's answer, shared by every request this instance serves for a
 * short while ({@link FLEET_CACHE_MS}): however many users poll GET /api/fleet,
 * the backend is asked at most once per period per instance, and requests
 * that arrive while it is being asked wait for that one answer. The answer is
 * the same for every logged-in user (no per-session state is kept, so any
 * instance still serves any session); a failed read is not kept (the next
 * request asks again).
 */
import { pharosError } from '@pharos/core/errors';
import { LRUCache } from 'lru-cache';
import type { LogSink } from '../backend.js';

/** How long one overview answer is served, milliseconds (ages in it stay relative to its asOf). */
export const FLEET_CACHE_MS = 2000;

/** Reads the overview's JSON text (readFleetJson); `logger` is the asking request's. */
export type FleetLoader = (logger?: LogSink) => Promise<string>;

/** The shared answer. */
export interface FleetCache {
  /**
   * The answer as UTF-8 JSON: the kept one while younger than the period,
   * else a fresh one (one read however many callers wait). Rejects with the
   * loader's error (e.g. BackendFailingOverError) to every waiting caller.
   */
  get(logger?: LogSink): Promise<Buffer>;
}

/** Options of {@link createFleetCache}. */
export interface FleetCacheOptions {
  /** Period in milliseconds (default {@link FLEET_CACHE_MS}). */
  ttlMs?: number;
  /** Clock (milliseconds, monotonic), for tests; default `performance`. */
  clock?: { now(): number };
}

/** Builds the shared answer over `load`. */
export function createFleetCache(load: FleetLoader, opts: FleetCacheOptions = {}): FleetCache {
  const cache = new LRUCache<'fleet', Buffer, LogSink | undefined>({
    max: 1,
    ttl: opts.ttlMs ?? FLEET_CACHE_MS,
    ttlResolution: 0,
    ...(opts.clock ? { perf: opts.clock } : {}),
    fetchMethod: async (_key, _stale, { context }) => Buffer.from(await load(context)),
  });
  return {
    async get(logger) {
      const body = await cache.fetch('fleet', { context: logger });
      if (body === undefined) throw pharosError('PHAROS_INTERNAL_FLEET_CACHE');
      return body;
    },
  };
}
