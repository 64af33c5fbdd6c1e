/**
 * The HA cluster at a glance for the overview: Patroni's members (roles,
 * states, timelines, lag) and etcd's health, asked live by this web instance.
 *
 * Why live and not from probe values: the page that shows the HA stack is
 * most needed while the backend is failing over, when no statement can read
 * `pemdata`; Patroni's REST API and etcd answer then. Answers are shared for
 * {@link CLUSTER_CACHE_MS} by every request of this instance, so users
 * refreshing do not multiply the calls, and each call has a short deadline.
 */
import type { ClusterStatus } from '../api/shapes/cluster.js';
import { readEtcdHealth } from './etcd.js';
import type { GetJsonOptions } from './http-json.js';
import { readPatroni } from './patroni.js';

export type { ClusterStatus };

/** How long one reading is reused, milliseconds. */
export const CLUSTER_CACHE_MS = 3000;
/** Deadline of one REST call, milliseconds. */
export const CLUSTER_CALL_TIMEOUT_MS = 1500;

/** Where the HA stack's APIs are. */
export interface ClusterEndpoints {
  /** Patroni REST API base URLs (`http://<backend host>:8008` by default). */
  patroniUrls: string[];
  /** etcd client URLs; empty when the configuration names none. */
  etcdEndpoints: string[];
  localAddress?: string | undefined;
  ca?: Buffer | undefined;
  /** Client certificate and key (PEM) presented to etcd (etcd with client-cert-auth). */
  etcdCert?: Buffer | undefined;
  etcdKey?: Buffer | undefined;
}

/** Reads the cluster's status, caching one reading for {@link CLUSTER_CACHE_MS}. */
export class ClusterStatusReader {
  readonly #endpoints: ClusterEndpoints;
  readonly #cacheMs: number;
  #last: { at: number; value: Promise<ClusterStatus> } | undefined;

  /** `cacheMs` defaults to {@link CLUSTER_CACHE_MS}. */
  constructor(endpoints: ClusterEndpoints, cacheMs: number = CLUSTER_CACHE_MS) {
    this.#endpoints = endpoints;
    this.#cacheMs = cacheMs;
  }

  /** The cluster's status (a reading at most `cacheMs` old; concurrent callers share one). Never rejects. */
  read(): Promise<ClusterStatus> {
    const now = Date.now();
    if (this.#last && now - this.#last.at < this.#cacheMs) return this.#last.value;
    const value = this.#readNow();
    this.#last = { at: now, value };
    return value;
  }

  async #readNow(): Promise<ClusterStatus> {
    const e = this.#endpoints;
    const options: GetJsonOptions = {
      timeoutMs: CLUSTER_CALL_TIMEOUT_MS,
      localAddress: e.localAddress,
      ca: e.ca,
    };
    const [patroni, etcd] = await Promise.all([
      readPatroni(e.patroniUrls, options),
      readEtcdHealth(e.etcdEndpoints, { ...options, cert: e.etcdCert, key: e.etcdKey }),
    ]);
    return {
      checkedAt: new Date().toISOString(),
      patroni,
      etcd: { configured: e.etcdEndpoints.length > 0, members: etcd },
    };
  }
}
