/**
 * Versioned migrations against real PostgreSQL (a primary 127.0.8.20 and its
 * streaming standby 127.0.8.21): exactly once, in order, each in a
 * transaction, upgrade in place, refusal on a standby and of a newer schema.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HaConnection } from '@pharos/core/ha/connection';
import { startPostgres, startStandby, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import {
  loadMigrations,
  loadRelease,
  MIGRATIONS_DIR,
  makeRelease,
  migrate,
  SQL_DIR,
  type SqlRelease,
} from './run.js';

describe('migrate (real PostgreSQL)', { timeout: 180_000 }, () => {
  let primary: TestPostgres;
  let standby: TestPostgres;
  let dir: string;
  const conns: HaConnection[] = [];

  const connect = (server: TestPostgres, db: string) => {
    const c = new HaConnection({ conninfo: server.conninfo('postgres', db) });
    conns.push(c);
    return c;
  };
  const run = (c: HaConnection, release: SqlRelease = loadRelease()) =>
    migrate((fn) => c.transaction(fn), release);
  /** Only the given migrations, no functions (the landed ones need the whole schema). */
  const only = (dir: string) => makeRelease(loadMigrations(dir));
  const versions = async (db: string) =>
    await primary.psql(
      "SELECT string_agg(version::text, ',' ORDER BY version) FROM public.pharos_schema_version",
      db,
    );

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-migrations-'));
    primary = await startPostgres({
      address: '127.0.8.20',
      settings: { wal_level: 'replica', max_wal_senders: '5' },
    });
    for (const db of ['pem', 'upgrade', 'failing', 'newer']) await primary.psql(`CREATE DATABASE ${db}`);
    standby = await startStandby(primary, { address: '127.0.8.21' });
  });

  after(async () => {
    for (const c of conns) await c.close().catch(() => {});
    await standby?.stop();
    await primary?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('applies every migration exactly once, in order, also when two runners race', async () => {
    const all = loadMigrations();
    const [r1, r2] = await Promise.all([run(connect(primary, 'pem')), run(connect(primary, 'pem'))]);
    const applied = [...r1.applied, ...r2.applied].map((m) => m.version).sort((a, b) => a - b);
    assert.deepEqual(
      applied,
      all.map((m) => m.version),
    );
    assert.equal(await versions('pem'), all.map((m) => m.version).join(','));
    const again = await run(connect(primary, 'pem'));
    assert.deepEqual(again.applied, []);
    assert.equal(again.before, all.at(-1)!.version);
    assert.equal(
      await primary.psql(
        "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'pem\\_%'",
      ),
      'pem_admin,pem_agent,pem_user,pem_web',
    );
  });

  it('upgrades an older schema in place, applying only what it lacks', async () => {
    const old = join(dir, 'v1');
    const newer = join(dir, 'v2');
    for (const d of [old, newer]) {
      mkdirSync(d, { recursive: true });
      copyFileSync(join(MIGRATIONS_DIR, '001_initial.sql'), join(d, '001_initial.sql'));
    }
    writeFileSync(
      join(newer, '002_fake_upgrade.sql'),
      'CREATE TABLE pem.fake_upgrade (x integer);\nINSERT INTO pem.fake_upgrade VALUES (1);\n',
    );
    const c = connect(primary, 'upgrade');
    const first = await run(c, only(old));
    assert.deepEqual([first.before, first.after], [0, 1]);
    await primary.psql(
      "INSERT INTO pem.probe (name, level, interval_s) VALUES ('kept', 'agent', 60)",
      'upgrade',
    );
    const second = await run(c, only(newer));
    assert.deepEqual(
      [second.before, second.after, second.applied.map((m) => m.name)],
      [1, 2, ['fake_upgrade']],
    );
    assert.equal(await primary.psql('SELECT count(*) FROM pem.fake_upgrade', 'upgrade'), '1');
    assert.equal(await primary.psql("SELECT count(*) FROM pem.probe WHERE name = 'kept'", 'upgrade'), '1');
    assert.equal(await versions('upgrade'), '1,2');
  });

  it('rolls a failing run back entirely and stays at the version it had', async () => {
    const d = join(dir, 'failing');
    mkdirSync(d, { recursive: true });
    copyFileSync(join(MIGRATIONS_DIR, '001_initial.sql'), join(d, '001_initial.sql'));
    const c = connect(primary, 'failing');
    await run(c, only(d));
    writeFileSync(join(d, '002_broken.sql'), 'CREATE TABLE pem.half (x integer);\nSELECT 1 / 0;\n');
    await assert.rejects(run(c, only(d)), /migration 002_broken\.sql failed: division by zero/);
    assert.equal(await versions('failing'), '1');
    assert.equal(await primary.psql("SELECT to_regclass('pem.half') IS NULL", 'failing'), 't');
    // a failing definitions file takes the migrations of its run with it
    rmSync(join(d, '002_broken.sql'));
    writeFileSync(join(d, '002_fine.sql'), 'CREATE TABLE pem.fine (x integer);\n');
    const broken = makeRelease(loadMigrations(d), [
      { path: 'functions/x/01_broken.sql', sql: 'SELECT 1 / 0' },
    ]);
    await assert.rejects(run(c, broken), /sql\/functions\/x\/01_broken\.sql failed: division by zero/);
    assert.equal(await versions('failing'), '1');
    assert.equal(await primary.psql("SELECT to_regclass('pem.fine') IS NULL", 'failing'), 't');
  });

  it('re-applies the definitions only when they changed, and after every migration', async () => {
    await primary.psql('CREATE DATABASE definitions');
    const d = join(dir, 'definitions');
    mkdirSync(d, { recursive: true });
    copyFileSync(join(MIGRATIONS_DIR, '001_initial.sql'), join(d, '001_initial.sql'));
    const fn = (body: string) => ({
      path: 'functions/x/01_answer.sql',
      sql: `CREATE OR REPLACE FUNCTION pem.answer() RETURNS integer LANGUAGE sql AS $$ SELECT ${body} $$`,
    });
    const c = connect(primary, 'definitions');
    const answer = () => primary.psql('SELECT pem.answer()', 'definitions');
    const first = await run(c, makeRelease(loadMigrations(d), [fn('41')]));
    assert.deepEqual([first.applied.length, first.definitionsApplied, await answer()], [1, true, '41']);
    const same = await run(c, makeRelease(loadMigrations(d), [fn('41')]));
    assert.deepEqual([same.applied.length, same.definitionsApplied], [0, false]);
    // changed out of band: only a changed checksum or a migration makes the runner apply the files again
    await primary.psql(
      'CREATE OR REPLACE FUNCTION pem.answer() RETURNS integer LANGUAGE sql AS $$ SELECT 0 $$',
      'definitions',
    );
    assert.equal((await run(c, makeRelease(loadMigrations(d), [fn('41')]))).definitionsApplied, false);
    assert.equal(await answer(), '0');
    const changed = await run(c, makeRelease(loadMigrations(d), [fn('42')]));
    assert.deepEqual([changed.applied.length, changed.definitionsApplied, await answer()], [0, true, '42']);
    writeFileSync(join(d, '002_more.sql'), 'CREATE TABLE pem.more (x integer);\n');
    await primary.psql(
      'CREATE OR REPLACE FUNCTION pem.answer() RETURNS integer LANGUAGE sql AS $$ SELECT 0 $$',
      'definitions',
    );
    const migrated = await run(c, makeRelease(loadMigrations(d), [fn('42')]));
    assert.deepEqual(
      [migrated.applied.map((m) => m.name), migrated.definitionsApplied, await answer()],
      [['more'], true, '42'],
    );
    assert.equal(
      await primary.psql('SELECT files FROM public.pharos_schema_definitions', 'definitions'),
      '1',
    );
  });

  it("counts a built-in template changed and put back as shipped again, with the release's plan choice", async () => {
    // what saving through the API does (alerts/admin-templates.ts): changed SQL resets the plan choice
    // to auto and sets updated_at; putting the release's SQL back leaves the choice at auto
    const name = 'Swap used';
    const shipped = await primary.psql(`SELECT sql FROM pem.alert_template WHERE name = '${name}'`, 'pem');
    await primary.psql(
      `UPDATE pem.alert_template SET sql = 'SELECT 7::float8 AS value', plan_cache_mode = 'auto',
              updated_at = now() + interval '1 s' WHERE name = '${name}'`,
      'pem',
    );
    await primary.psql(
      `UPDATE pem.alert_template SET sql = $s$${shipped}$s$, updated_at = now() + interval '2 s' WHERE name = '${name}'`,
      'pem',
    );
    // as the runner applies it: one transaction (its temporary table is dropped on commit)
    const out = await primary.psql(
      `BEGIN;\n${readFileSync(join(SQL_DIR, 'catalogue', 'alert-templates.sql'), 'utf8')}\nCOMMIT;`,
      'pem',
    );
    const merged = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as { kept: string[] };
    assert.deepEqual(merged.kept, []);
    assert.equal(
      await primary.psql(
        `SELECT shipped_at = updated_at, plan_cache_mode FROM pem.alert_template WHERE name = '${name}'`,
        'pem',
      ),
      't|force_generic_plan',
    );
  });

  it('refuses to run on a standby, saying so', async () => {
    await assert.rejects(
      run(connect(standby, 'pem')),
      /refusing to migrate: the server is a standby \(pg_is_in_recovery\(\) is true\); run the migration on the primary/,
    );
  });

  it('refuses a database newer than this Pharos', async () => {
    await run(connect(primary, 'newer'));
    await primary.psql(
      "INSERT INTO public.pharos_schema_version (version, name) VALUES (99, 'from_the_future')",
      'newer',
    );
    const newest = loadMigrations().at(-1)!.version;
    await assert.rejects(
      run(connect(primary, 'newer')),
      new RegExp(
        `database schema version 99 is newer than this Pharos \\(${newest}\\); upgrade Pharos instead`,
      ),
    );
  });
});
