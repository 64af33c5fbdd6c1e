/**
 * The rules of sql/README.md, checked on the files: no SQL function is
 * defined in more than one file; each file of sql/functions/ defines exactly
 * the one function its name says; migrations define no function, view or
 * trigger and grant nothing (they may DROP what a new signature replaces).
 * The fixtures of the landed schema (packages/backend/fixtures/) are not
 * below sql/ and are not read.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { loadDefinitions, SQL_DIR } from './release.js';

function sqlFilesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sqlFilesBelow(p) : n.endsWith('.sql') ? [p] : [];
  });
}

/** SQL text without `--` comments and without the bodies of dollar-quoted strings. */
function code(sql: string): string {
  return sql
    .replace(/\$([a-z_]*)\$[\s\S]*?\$\1\$/gi, "''")
    .replace(/--[^\n]*/g, '')
    .replace(/'(?:[^']|'')*'/g, "''");
}

const DEFINES = /\bCREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE)\s+(?:"?(\w+)"?\.)?"?(\w+)"?\s*\(/gi;

/** Every problem with the layout of the sql/ tree at `root`, as sentences naming the files. */
function layoutProblems(root: string): string[] {
  const problems: string[] = [];
  const definedIn = new Map<string, string[]>();
  for (const file of sqlFilesBelow(root)) {
    const rel = relative(root, file);
    const text = code(readFileSync(file, 'utf8'));
    const names = [...text.matchAll(DEFINES)].map(
      (m) => `${(m[2] ?? 'public').toLowerCase()}.${m[3]!.toLowerCase()}`,
    );
    for (const n of new Set(names)) definedIn.set(n, [...(definedIn.get(n) ?? []), rel]);
    if (rel.startsWith('functions/')) {
      const expected = `pem.${/^\d{2}_(\w+)\.sql$/.exec(rel.split('/').at(-1)!)?.[1]}`;
      if (names.length !== 1 || names[0] !== expected)
        problems.push(`${rel} defines ${names.join(', ') || 'no function'}; it must define ${expected} only`);
    } else if (rel.startsWith('migrations/')) {
      if (names.length > 0)
        problems.push(`${rel} defines ${names.join(', ')}: functions live in sql/functions/`);
      if (/\bCREATE\s+(OR\s+REPLACE\s+)?VIEW\b/i.test(text))
        problems.push(`${rel} creates a view: views live in sql/views/`);
      if (/\bCREATE\s+(CONSTRAINT\s+)?TRIGGER\b/i.test(text))
        problems.push(`${rel} creates a trigger: triggers live with their function in sql/functions/`);
      if (/^\s*(GRANT|REVOKE)\b/im.test(text))
        problems.push(`${rel} grants or revokes: privileges live in sql/grants/`);
    } else if (names.length > 0) {
      problems.push(`${rel} defines ${names.join(', ')}: functions live in sql/functions/`);
    }
  }
  for (const [name, files] of definedIn) {
    if (files.length > 1) problems.push(`${name} is defined in ${files.length} files: ${files.join(', ')}`);
  }
  return problems;
}

describe('sql/ layout', () => {
  it('defines every SQL function once, in its own file; migrations hold DDL and data moves only', () => {
    assert.deepEqual(layoutProblems(SQL_DIR), []);
    // the check reads what the runner applies
    const functions = loadDefinitions().filter((d) => d.path.startsWith('functions/'));
    assert.ok(functions.length >= 50, `${functions.length} function files`);
  });

  it('fails on a function defined twice, a file defining another function, and a migration defining one', () => {
    const root = mkdtempSync(join(tmpdir(), 'pharos-sql-layout-'));
    try {
      mkdirSync(join(root, 'functions', 'ingest'), { recursive: true });
      mkdirSync(join(root, 'migrations'), { recursive: true });
      const fn = (name: string) =>
        `-- CREATE FUNCTION pem.commented_out()\nCREATE OR REPLACE FUNCTION pem.${name}(p integer)\nRETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;\n`;
      writeFileSync(join(root, 'functions', 'ingest', '01_ingest_batch.sql'), fn('ingest_batch'));
      writeFileSync(join(root, 'functions', 'ingest', '02_other.sql'), fn('ingest_batch'));
      writeFileSync(
        join(root, 'migrations', '009_restated.sql'),
        `ALTER TABLE pem.x ADD COLUMN y integer;\n${fn('ingest_batch').replace('OR REPLACE ', '')}GRANT SELECT ON pem.x TO pem_user;\n`,
      );
      assert.deepEqual(layoutProblems(root).sort(), [
        'functions/ingest/02_other.sql defines pem.ingest_batch; it must define pem.other only',
        'migrations/009_restated.sql defines pem.ingest_batch: functions live in sql/functions/',
        'migrations/009_restated.sql grants or revokes: privileges live in sql/grants/',
        'pem.ingest_batch is defined in 3 files: functions/ingest/01_ingest_batch.sql, functions/ingest/02_other.sql, migrations/009_restated.sql',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
