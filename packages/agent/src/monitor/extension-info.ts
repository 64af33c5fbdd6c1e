/**
 * Which extensions a server has (for probes whose SQL follows an
 * extension's version: pg_stat_statements), looked up on the probe session
 * and kept for {@link EXTENSION_CACHE_MS}.
 *
 * Source: catalog-pg-extension.html (`extname`, `extversion`,
 * `extnamespace`).
 */
import type { ProbeSession } from './probe-session.js';

/** How long a lookup is reused, ms. */
export const EXTENSION_CACHE_MS = 5 * 60 * 1000;

/** An installed extension. */
export interface InstalledExtension {
  version: string;
  schema: string;
}

const SQL = `SELECT e.extname, e.extversion, n.nspname
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname = ANY($1::text[])`;

/** Cached extension lookups of one server. */
export class ExtensionInfo {
  private cache: { at: number; found: Map<string, InstalledExtension> } | undefined;

  /** Forgets the cached answer (e.g. after a reconnect to another server). */
  clear(): void {
    this.cache = undefined;
  }

  /** The installed extensions among `names` (from the cache when fresh). */
  async lookup(
    session: ProbeSession,
    names: readonly string[],
    nowMs: number,
  ): Promise<Map<string, InstalledExtension>> {
    if (this.cache && nowMs - this.cache.at < EXTENSION_CACHE_MS) return this.cache.found;
    const rows = await session.run(SQL, 5000, [names]);
    const found = new Map<string, InstalledExtension>();
    for (const r of rows)
      found.set(String(r.extname), { version: String(r.extversion), schema: String(r.nspname) });
    this.cache = { at: nowMs, found };
    return found;
  }
}
