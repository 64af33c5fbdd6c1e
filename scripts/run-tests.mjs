#!/usr/bin/env node
// Runs the compiled tests with node's test runner (TAP output).
//   unit: packages/*/dist/**/*.test.js except *.int.test.js, *.e2e.test.js and *.matrix.test.js, and scripts/*.test.mjs
//         (they start no PostgreSQL, etcd or Patroni; one file at a time: some listen on fixed loopback addresses)
//   int:  *.int.test.js, *.e2e.test.js and *.matrix.test.js (one file at a time: they start real servers)
//   slow: *.slow.test.js: the nine-host deployment test (Ansible on ten booted containers, 12-45 min by load);
//         run by `all` only with PHAROS_SLOW_TESTS=1 (docs/deploy.md)
//   all:  unit, then int (then slow with PHAROS_SLOW_TESTS=1)
// Extra arguments filter the files by substring (e.g. `node scripts/run-tests.mjs int lab`).
// Each file runs under a bound against a hang: 15 min; the deployment tests 30 (int) and 60 (slow) min.
// Prints a closing line "tests: N passed, N failed" and exits non-zero when any failed.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const [mode = 'all', ...filters] = process.argv.slice(2);

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
  try {
    files.push(...walk(join(root, 'packages', pkg, 'dist')));
  } catch {
    /* package not built */
  }
}
for (const name of readdirSync(join(root, 'scripts')))
  if (name.endsWith('.test.mjs')) files.push(join(root, 'scripts', name));
const selected = files.filter((f) => filters.every((s) => f.includes(s)));
const isInt = (f) =>
  f.endsWith('.int.test.js') || f.endsWith('.e2e.test.js') || f.endsWith('.matrix.test.js');
const isSlow = (f) => f.endsWith('.slow.test.js');
const unit = selected.filter((f) => !isInt(f) && !isSlow(f)).sort();
const int = selected.filter(isInt).sort();
const slow = selected.filter(isSlow).sort();
const withSlow = mode === 'slow' || (mode === 'all' && process.env.PHAROS_SLOW_TESTS === '1');

const totals = { pass: 0, fail: 0 };

/** The bound of one test file, against a hang: 15 min, 30 for the deployment tests (docs/deploy.md: 7-30 min and 15-45 min here, by load). */
const BOUND_MS = 15 * 60_000;
const LONG_BOUND_MS = { 'deploy.int.test.js': 30 * 60_000, 'deploy.slow.test.js': 60 * 60_000 };
const boundOf = (f) => LONG_BOUND_MS[f.slice(f.lastIndexOf('/') + 1)] ?? BOUND_MS;

/** Runs `list` in groups of the same bound (one node --test per group), one after the other; the first non-zero exit code. */
async function runBounded(list, concurrency) {
  let status = 0;
  for (const bound of [...new Set(list.map(boundOf))].sort((a, b) => a - b))
    status =
      (await run(
        list.filter((f) => boundOf(f) === bound),
        concurrency,
        bound,
      )) || status;
  return status;
}

function run(list, concurrency, boundMs = BOUND_MS) {
  if (list.length === 0) return Promise.resolve(0);
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--enable-source-maps',
        '--test',
        '--test-reporter=tap',
        // a file whose test left a handle open must not hang the run; no test may run past its bound
        '--test-force-exit',
        `--test-timeout=${boundMs}`,
        `--test-concurrency=${concurrency}`,
        ...list,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: root },
    );
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    });
    child.on('close', (code) => {
      const pass = /^# pass (\d+)$/m.exec(tail);
      const fail = /^# fail (\d+)$/m.exec(tail);
      const cancelled = /^# cancelled (\d+)$/m.exec(tail);
      // A failed hook cancels its tests: they count as failed. A non-zero exit counts at least one.
      const failed = (fail ? Number(fail[1]) : 0) + (cancelled ? Number(cancelled[1]) : 0);
      totals.pass += pass ? Number(pass[1]) : 0;
      totals.fail += code === 0 ? failed : Math.max(failed, 1);
      resolve(code ?? 1);
    });
  });
}

let status = 0;
if (mode === 'unit' || mode === 'all') status = (await run(unit, 1)) || status;
if (mode === 'int' || mode === 'all') status = (await runBounded(int, 1)) || status;
if (withSlow) status = (await runBounded(slow, 1)) || status;
else if (mode === 'all' && slow.length > 0)
  console.log(
    `slow tests not run (PHAROS_SLOW_TESTS=1 runs them): ${slow.map((f) => f.slice(root.length)).join(', ')}`,
  );
console.log(`tests: ${totals.pass} passed, ${totals.fail} failed`);
process.exit(status);
