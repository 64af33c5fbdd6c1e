#!/usr/bin/env node
// Runs the compiled tests with node's test runner.
//   unit: packages/*/dist/**/*.test.js except *.int.test.js and *.e2e.test.js (in parallel)
//   int:  *.int.test.js and *.e2e.test.js (one file at a time: they start real servers)
//   all:  unit, then int
// Exit code: non-zero when any test failed.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const mode = process.argv[2] ?? 'all';

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dist = join(root, 'packages', pkg, 'dist');
  try {
    files.push(...walk(dist));
  } catch {
    /* package not built */
  }
}
const isInt = (f) => f.endsWith('.int.test.js') || f.endsWith('.e2e.test.js');
const unit = files.filter((f) => !isInt(f)).sort();
const int = files.filter(isInt).sort();

function run(list, concurrency) {
  if (list.length === 0) return 0;
  const r = spawnSync(
    process.execPath,
    ['--enable-source-maps', '--test', `--test-concurrency=${concurrency}`, ...list],
    {
      stdio: 'inherit',
      cwd: root,
    },
  );
  return r.status ?? 1;
}

let status = 0;
if (mode === 'unit' || mode === 'all') status = run(unit, 2) || status;
if (mode === 'int' || mode === 'all') status = run(int, 1) || status;
process.exit(status);
