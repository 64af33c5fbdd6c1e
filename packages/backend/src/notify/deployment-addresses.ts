/**
 * The deployment's own addresses, for the webhook target policy
 * (target-policy.ts): host names and addresses from a few sources (the
 * backends of the agent's connection string, what the backend knows —
 * `pem.webhook_refused_hosts()` —, the agent's own address), resolved to
 * addresses and kept for a while, so a delivery asks the backend and DNS at
 * most once a minute. A source that fails keeps its previous answer; one
 * that never answered makes {@link DeploymentAddresses.get} throw, so a
 * delivery fails (and is retried) rather than going out unchecked.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** A source of host names or addresses. */
export type HostSource = () => Promise<readonly string[]> | readonly string[];

/** How long a resolved set is used before it is read again, ms. */
export const DEPLOYMENT_ADDRESSES_TTL_MS = 60_000;

/** Resolves host names (each to all its addresses); a name that does not resolve is left out. */
export async function resolveHosts(hosts: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  await Promise.all(
    [...new Set(hosts)].map(async (h) => {
      const host = h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
      if (host === '' || host.startsWith('/')) return; // a Unix socket directory is no address
      if (isIP(host)) {
        out.add(host);
        return;
      }
      try {
        for (const a of await lookup(host, { all: true })) out.add(a.address);
      } catch {
        /* a name that does not resolve cannot be connected to either */
      }
    }),
  );
  return out;
}

/** The deployment's addresses from `sources`, cached for `ttlMs` (see the module doc). */
export class DeploymentAddresses {
  readonly #sources: readonly HostSource[];
  readonly #ttlMs: number;
  #value: Set<string> | undefined;
  #readAt = 0;
  #last: (readonly string[] | undefined)[];
  #pending: Promise<Set<string>> | undefined;

  constructor(sources: readonly HostSource[], ttlMs = DEPLOYMENT_ADDRESSES_TTL_MS) {
    this.#sources = sources;
    this.#ttlMs = ttlMs;
    this.#last = sources.map(() => undefined);
  }

  /** The addresses (fresh at most `ttlMs` old). Throws when a source never answered. */
  get(): Promise<ReadonlySet<string>> {
    if (this.#value && Date.now() - this.#readAt < this.#ttlMs) return Promise.resolve(this.#value);
    this.#pending ??= this.#read().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #read(): Promise<Set<string>> {
    const hosts: string[] = [];
    const failures: string[] = [];
    await Promise.all(
      this.#sources.map(async (source, i) => {
        try {
          this.#last[i] = await source();
        } catch (err) {
          if (this.#last[i] === undefined) failures.push(err instanceof Error ? err.message : String(err));
        }
      }),
    );
    if (failures.length > 0)
      throw new Error(`cannot read the deployment's addresses: ${failures.join('; ')}`);
    for (const l of this.#last) hosts.push(...(l ?? []));
    this.#value = await resolveHosts(hosts);
    this.#readAt = Date.now();
    return this.#value;
  }
}
