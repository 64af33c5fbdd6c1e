#!/usr/bin/env node
// The dependency rules of the tree (docs/architecture.md, "Dependencies"), checked on the
// sources: which @pharos package may import which, that each package.json declares
// what its sources import, and that no import cycle exists between files of a package
// (type-only imports count: a cycle of types is still a knot for the reader).
//
//   node scripts/check-deps.mjs          prints every problem, exits 1 when there is one
//
// The analysis is a pure function of the file texts (analyze), tested in
// scripts/check-deps.test.mjs with deliberate violations.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Which packages each package's product code may import. Tests (*.test.ts) and test helpers
 * (src/testing/) may also import @pharos/testkit and the `testing/*` helpers of any package
 * their product code may import.
 */
export const ALLOWED = {
  core: [],
  testkit: [],
  backend: ['core'],
  agent: ['core', 'backend'],
  web: ['core', 'backend'],
  ops: ['core', 'agent'],
  cli: ['core', 'backend', 'agent', 'web', 'ops'],
  suites: ['core', 'testkit', 'backend', 'agent', 'web', 'ops', 'cli'],
  bench: ['core', 'testkit', 'backend', 'agent', 'web', 'ops', 'suites'],
};

const IMPORT =
  /(?:^|[\s;])(?:import|export)(?:\s+type)?(?:[\s\w*{},]*?\sfrom)?\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Import specifiers of a TypeScript source (static, re-exports, and literal dynamic imports). */
export function importsOf(text) {
  const out = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  for (const m of code.matchAll(IMPORT)) out.push(m[1] ?? m[2]);
  return out;
}

const isTestFile = (rel) => /\.test\.ts$/.test(rel) || /(^|\/)testing\//.test(rel);

/**
 * @param {{ packages: Record<string, { declared: string[], files: Record<string, string> }> }} tree
 *   per package: its declared @pharos dependencies (names without scope, from dependencies and
 *   devDependencies) and its source files (path relative to the package's src/ -> text)
 * @returns {string[]} problems, one sentence each; empty when the tree keeps the rules
 */
export function analyze(tree) {
  const problems = [];
  for (const [pkg, { declared, files }] of Object.entries(tree.packages)) {
    const allowed = ALLOWED[pkg];
    if (!allowed) {
      problems.push(`packages/${pkg}: not in the dependency rules (scripts/check-deps.mjs ALLOWED)`);
      continue;
    }
    const graph = new Map();
    for (const [rel, text] of Object.entries(files)) {
      const edges = [];
      for (const spec of importsOf(text)) {
        const m = /^@pharos\/([a-z-]+)(\/(.*))?$/.exec(spec);
        if (m) {
          const [, dep, , sub = ''] = m;
          if (dep === pkg) {
            problems.push(
              `packages/${pkg}/src/${rel}: imports its own package as ${spec}; use a relative path`,
            );
            continue;
          }
          const test = isTestFile(rel);
          const ok =
            allowed.includes(dep) ||
            (test && dep === 'testkit') ||
            (test && sub.startsWith('testing/') && (ALLOWED[pkg] ?? []).includes(dep));
          if (!ok)
            problems.push(
              `packages/${pkg}/src/${rel}: imports @pharos/${dep}${sub ? `/${sub}` : ''}, but ${pkg} may not depend on ${dep} (allowed: ${allowed.join(', ') || 'none'}${test ? ', and testkit in tests' : ''})`,
            );
          if (!declared.includes(dep))
            problems.push(
              `packages/${pkg}/package.json: does not declare @pharos/${dep}, which src/${rel} imports`,
            );
        } else if (spec.startsWith('.')) {
          const target = join(dirname(rel), spec).replace(/\.js$/, '.ts');
          if (target in files) edges.push(target);
        }
      }
      graph.set(rel, edges);
    }
    for (const cycle of cyclesOf(graph))
      problems.push(`packages/${pkg}/src: import cycle among ${cycle.join(', ')}`);
  }
  return problems;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cyclesOf(graph) {
  let index = 0;
  const stack = [];
  const on = new Set();
  const idx = new Map();
  const low = new Map();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.reverse());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

/** Reads packages/<name>/{package.json,src/**.ts} under `root`. */
export function readTree(root) {
  const packages = {};
  const dir = join(root, 'packages');
  for (const pkg of readdirSync(dir).sort()) {
    const manifest = join(dir, pkg, 'package.json');
    try {
      statSync(manifest);
    } catch {
      continue;
    }
    const json = JSON.parse(readFileSync(manifest, 'utf8'));
    const declared = Object.keys({ ...json.dependencies, ...json.devDependencies })
      .filter((d) => d.startsWith('@pharos/'))
      .map((d) => d.slice('@pharos/'.length));
    const files = {};
    const src = join(dir, pkg, 'src');
    const walk = (d) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.ts')) files[relative(src, p)] = readFileSync(p, 'utf8');
      }
    };
    walk(src);
    packages[pkg] = { declared, files };
  }
  return { packages };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const problems = analyze(readTree(root));
  for (const p of problems) console.error(`check-deps: ${p}`);
  console.log(`check-deps: ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`}`);
  process.exit(problems.length === 0 ? 0 : 1);
}
