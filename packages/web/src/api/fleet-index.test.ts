/**
 * The overview's probe lists in SQL name exactly the overview's probes
 * (OVERVIEW_FIELDS): the partial index the overview rows are made from
 * (pemdata.latest_overview_idx, migration 018) and the functions that make
 * them (sql/functions/overview/: pem.overview_refresh, the trigger on
 * pemdata.latest). A probe added to OVERVIEW_FIELDS without a migration that
 * recreates the index would make the planner fall back to reading the whole
 * of pemdata.latest (the predicate could no longer be proved), and without
 * the functions' lists it would never reach the overview rows; no functional
 * test of an existing probe would notice either.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadDefinitions, loadMigrations } from '@pharos/backend/migrations/release';
import { OVERVIEW_FIELDS } from '../../ui/contract/overview-fields.js';
import { OVERVIEW_PROBES } from './fleet-query.js';

const names = (list: string) => [...list.matchAll(/'([a-z_]+)'/g)].map((x) => x[1]).sort();

it("the overview index's predicate names exactly the overview's probes", () => {
  const defs = loadMigrations()
    .flatMap((m) => [
      ...m.sql.matchAll(/CREATE INDEX latest_overview_idx[\s\S]*?WHERE probe IN \(([^)]*)\)/g),
    ])
    .map((x) => x[1]!);
  assert.ok(defs.length > 0, 'a migration creates latest_overview_idx');
  assert.deepEqual(names(defs.at(-1)!), [...OVERVIEW_PROBES].sort());
});

it("the overview functions' probe lists name exactly the overview's probes", () => {
  const files = loadDefinitions().filter((d) => d.path.startsWith('functions/overview/'));
  const lists = files.flatMap((d) =>
    [...d.sql.matchAll(/probe IN \(([^)]*)\)/g)].map((x) => ({ path: d.path, list: x[1]! })),
  );
  assert.ok(lists.length >= 3, 'pem.overview_refresh (agents, servers) and the trigger on pemdata.latest');
  for (const { path, list } of lists) assert.deepEqual(names(list), [...OVERVIEW_PROBES].sort(), path);
});

it("pem.overview_value cuts each probe's values to exactly the overview's fields, and pem.overview_refresh writes both overview rows' values with it", () => {
  const defs = loadDefinitions().filter((d) => d.path.startsWith('functions/overview/'));
  const value = defs.find((d) => /overview_value\.sql$/.test(d.path));
  assert.ok(value, 'functions/overview/NN_overview_value.sql');
  const cuts = [
    ...value.sql.matchAll(
      /WHEN p_probe = '([a-z_]+)' THEN jsonb_strip_nulls\(jsonb_build_object\(([^)]*)\)\)/g,
    ),
  ];
  assert.deepEqual(
    Object.fromEntries(
      cuts.map((m) => [m[1]!, [...m[2]!.matchAll(/'([a-z_0-9]+)', p_value -> '\1'/g)].map((x) => x[1])]),
    ),
    OVERVIEW_FIELDS,
  );
  const refresh = defs.find((d) => /overview_refresh\.sql$/.test(d.path));
  assert.ok(refresh, 'functions/overview/NN_overview_refresh.sql');
  assert.equal([...refresh.sql.matchAll(/'value', pem\.overview_value\(r\.probe, r\.value\)/g)].length, 2);
  assert.doesNotMatch(refresh.sql, /jsonb_build_object\('[a-z_]+', r\.value ->/, 'no projection of its own');
});
