/**
 * Ingest's updates of pemdata.latest can be HOT (migration 022): after every
 * migration, no index of pemdata.latest names a column that ingest's upsert
 * changes (sql/functions/ingest/08_ingest_samples.sql: sample_id,
 * collected_at, value, prev_value, prev_collected_at) as a key, an INCLUDE
 * column or in its predicate. PostgreSQL makes an update HOT only when no
 * column of any index changes (docs 73.7 "Heap-Only Tuples (HOT)"), so one
 * such index turns every ingest update into a new row version on another page
 * plus an entry in every index (the fleet simulation measured 0 HOT updates
 * of 920,653 with migration 018's INCLUDE (collected_at)). Read from the
 * migrations' text, replayed in order: CREATE INDEX ... ON pemdata.latest
 * adds an index, DROP INDEX pemdata.<name> removes it.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadMigrations } from './release.js';

/** The columns pem.ingest_samples' upsert of pemdata.latest sets (its ON CONFLICT DO UPDATE). */
const UPDATED = ['sample_id', 'collected_at', 'value', 'prev_value', 'prev_collected_at'];

/** The indexes of pemdata.latest after every migration, by name: their definition after ON. */
function latestIndexes(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of loadMigrations()) {
    const sql = m.sql.replace(/--[^\n]*/g, '');
    const statements = sql.split(';');
    for (const s of statements) {
      const created =
        /CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)?\s*ON\s+pemdata\.latest\b([\s\S]*)/i.exec(
          s,
        );
      if (created) out.set(created[1] ?? `${m.version}:${out.size}`, created[2]!);
      const dropped = /DROP\s+INDEX\s+(?:IF\s+EXISTS\s+)?pemdata\.(\w+)/i.exec(s);
      if (dropped) out.delete(dropped[1]!);
    }
  }
  return out;
}

it("no index of pemdata.latest names a column ingest's upsert changes (its updates can be HOT)", () => {
  const indexes = latestIndexes();
  assert.ok(indexes.has('latest_overview_idx'), 'the overview index is still there');
  for (const [name, def] of indexes)
    for (const column of UPDATED)
      assert.ok(!new RegExp(`\\b${column}\\b`).test(def), `index ${name} names ${column}: ${def.trim()}`);
});

it('migration 018 did name collected_at (the check sees an INCLUDE column)', () => {
  const m18 = loadMigrations().find((m) => m.version === 18)!;
  assert.match(m18.sql, /INCLUDE \(collected_at\)/);
});
