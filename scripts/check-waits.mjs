#!/usr/bin/env node
// No bare fixed waits in tests: a test waits for a condition with a deadline
// (waitFor, @pharos/testkit/wait/wait-for), or runs time-driven code on a fake
// clock (@pharos/testkit/clock/fake-clock); it never sleeps a fixed time and
// hopes the thing happened meanwhile.
//
//   node scripts/check-waits.mjs     prints every fixed wait in packages/*/src/**/*.test.ts, exits 1 when there is one
//
// Refused (outside comments): a call of a function named `sleep`; `setTimeout(r, N)` and
// `setTimeout(() => r(), N)` (a promise resolved by a timer); calls of `setTimeout` from
// `node:timers/promises` under any name; `scheduler.wait(`. `pg_sleep(` (SQL) and `x.sleep(`
// (a method, e.g. a fake clock's) are not calls of `sleep`.
//
// Escape, for the rare test where the fixed duration IS the thing under test (a workload's pace,
// a fault's length): end the line with `// fixed-wait: <why>`. At most MAX_ESCAPES such lines in
// the tree; each is listed when the check passes, so the list stays short and seen.
//
// The analysis is a pure function of the file texts (analyze), tested in scripts/check-waits.test.mjs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Most escaped fixed waits allowed in the whole tree. */
export const MAX_ESCAPES = 3;

const ESCAPE = /\/\/\s*fixed-wait:\s*\S/;

/** The code of a line without its `//` comment (URLs like `http://` kept) and without block comments. */
function stripComments(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .split('\n')
    .map((l) => l.replace(/(^|[^:'"`\\])\/\/.*$/, '$1'));
}

/**
 * The fixed waits in one test file.
 * @param {string} text the file's text
 * @returns {{ line: number, code: string, escaped: boolean }[]} 1-based line numbers
 */
export function fixedWaitsOf(text) {
  const raw = text.split('\n');
  const code = stripComments(text);
  const patterns = [
    /(?<![\w.$])sleep\s*\(/,
    /(?<![\w.$])setTimeout\s*\(\s*(?:r|res|resolve|done|next|ok|wake)\s*,/,
    /(?<![\w.$])setTimeout\s*\(\s*(?:\(\s*\)|_)\s*=>\s*(?:r|res|resolve|done|next|ok|wake)\s*\(\s*\)\s*,/,
    /(?<![\w$])scheduler\s*\.\s*wait\s*\(/,
  ];
  // setTimeout of node:timers/promises, under its own name or an alias (`setTimeout as delay`)
  const fromTimers = /import\s*\{([^}]*)\}\s*from\s*['"](?:node:)?timers\/promises['"]/g;
  for (const m of text.matchAll(fromTimers)) {
    for (const part of m[1].split(',')) {
      const named = /^\s*setTimeout(?:\s+as\s+([\w$]+))?\s*$/.exec(part);
      if (named)
        patterns.push(new RegExp(`(?<![\\w.$])${(named[1] ?? 'setTimeout').replace('$', '\\$')}\\s*\\(`));
    }
  }
  const out = [];
  code.forEach((line, i) => {
    if (/^\s*import\b/.test(line)) return;
    if (patterns.some((p) => p.test(line)))
      out.push({ line: i + 1, code: raw[i].trim(), escaped: ESCAPE.test(raw[i]) });
  });
  return out;
}

/**
 * @param {Record<string, string>} files test file path (for messages) -> text
 * @returns {{ problems: string[], escapes: string[] }} problems, one sentence each (empty when the
 *   tests keep the rule), and the escaped fixed waits as `path:line: code`
 */
export function analyze(files) {
  const problems = [];
  const escapes = [];
  for (const [path, text] of Object.entries(files)) {
    for (const w of fixedWaitsOf(text)) {
      if (w.escaped) escapes.push(`${path}:${w.line}: ${w.code}`);
      else
        problems.push(
          `${path}:${w.line}: a fixed wait in a test (${w.code}); wait for a condition with waitFor (@pharos/testkit/wait/wait-for) or use a fake clock; if the duration itself is under test, end the line with // fixed-wait: <why>`,
        );
    }
  }
  if (escapes.length > MAX_ESCAPES)
    problems.push(
      `${escapes.length} escaped fixed waits (// fixed-wait:), more than ${MAX_ESCAPES}: turn one into a condition wait first`,
    );
  return { problems, escapes };
}

/** Reads every packages/<name>/src/**\/*.test.ts under `root` (path relative to `root` -> text). */
export function readTests(root) {
  const files = {};
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      if (name === 'node_modules' || name === 'dist') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.ts')) files[relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    const src = join(root, 'packages', pkg, 'src');
    try {
      statSync(src);
    } catch {
      continue;
    }
    walk(src);
  }
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const { problems, escapes } = analyze(readTests(root));
  for (const p of problems) console.error(`check-waits: ${p}`);
  for (const e of escapes) console.log(`check-waits: allowed fixed wait ${e}`);
  console.log(`check-waits: ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`}`);
  process.exit(problems.length === 0 ? 0 : 1);
}
