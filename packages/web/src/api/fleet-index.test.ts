/**
 * The partial index the overview reads (pemdata.latest_overview_idx, migration
 * 018) holds exactly the overview's probes: a probe added to OVERVIEW_FIELDS
 * without a migration that recreates the index would make the planner fall
 * back to reading the whole of pemdata.latest (the predicate could no longer
 * be proved), which no functional test would notice.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadMigrations } from '@pharos/backend/migrations/release';
import { OVERVIEW_PROBES } from './fleet-query.js';

it("the overview index's predicate names exactly the overview's probes", () => {
  const defs = loadMigrations()
    .flatMap((m) => [
      ...m.sql.matchAll(/CREATE INDEX latest_overview_idx[\s\S]*?WHERE probe IN \(([^)]*)\)/g),
    ])
    .map((x) => x[1]!);
  assert.ok(defs.length > 0, 'a migration creates latest_overview_idx');
  const probes = [...defs.at(-1)!.matchAll(/'([a-z_]+)'/g)].map((x) => x[1]);
  assert.deepEqual([...probes].sort(), [...OVERVIEW_PROBES].sort());
});
