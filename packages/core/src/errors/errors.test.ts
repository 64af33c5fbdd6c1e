// The catalogue, counted and checked against its docs (the model: fastify's
// test/internals/errors.test.js): a code added, renamed or removed without
// docs/errors.md, or an exit code that differs from docs/exit-codes.md, fails here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  ConfigError,
  ConnectError,
  ERRORS,
  type ErrorCode,
  EXIT,
  EXIT_MEANINGS,
  fillTemplate,
  hasCode,
  InputError,
  PharosError,
  pharosError,
} from './index.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const codes = Object.keys(ERRORS) as ErrorCode[];

/** Every placeholder of `template` filled with `<name>`. */
function sampleParams(template: string): Record<string, string> {
  return Object.fromEntries([...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => [m[1]!, `<${m[1]}>`]));
}

const expectedErrors = 302;

describe('error catalogue', () => {
  test(`exposes ${expectedErrors} codes`, () => {
    assert.equal(
      codes.length,
      expectedErrors,
      'a code was added or removed: update expectedErrors and docs/errors.md',
    );
  });

  test('codes are PHAROS_<AREA>_<WHAT>, and the name and code of each error are identical', () => {
    const kinds = {
      input: InputError,
      config: ConfigError,
      connect: ConnectError,
      state: PharosError,
      internal: PharosError,
    };
    for (const code of codes) {
      assert.match(code, /^PHAROS_[A-Z]+_[A-Z0-9_]+$/, code);
      const spec = ERRORS[code];
      const err = pharosError(code as 'PHAROS_CLI_USAGE', sampleParams(spec.message) as { reason: string });
      assert.equal(err.code, code);
      assert.ok(err instanceof kinds[spec.kind], `${code} is a ${spec.kind} error`);
      assert.equal(err.name, kinds[spec.kind].name);
      assert.equal(err.statusCode, spec.status, code);
      assert.equal(err.exitCode, spec.exit, code);
      assert.doesNotMatch(err.message, /\{[A-Za-z0-9_]+\}/, `${code}: every placeholder is filled`);
      assert.ok(hasCode(err, code));
    }
  });

  test('statuses are 4xx/5xx and exit codes come from the one table', () => {
    for (const code of codes) {
      const { status, exit, kind } = ERRORS[code];
      assert.ok(status >= 400 && status <= 599, `${code}: HTTP ${status}`);
      assert.ok(exit in EXIT_MEANINGS, `${code}: exit ${exit}`);
      if (kind === 'input' && !code.startsWith('PHAROS_VERIFY_')) assert.equal(exit, EXIT.INPUT, code);
      if (kind === 'internal') assert.equal(status, 500, code);
    }
  });

  test('fillTemplate fills named placeholders, as a template literal would', () => {
    assert.equal(fillTemplate('{a}: {b} and {a}', { a: 'x', b: 2 }), 'x: 2 and x');
    assert.equal(fillTemplate('{a}', { a: undefined }), 'undefined');
    assert.equal(fillTemplate('{missing}', {}), '{missing}');
  });

  test('options carry the cause and the field', () => {
    const cause = new Error('root');
    const err = pharosError('PHAROS_WEBHOOK_URL_INVALID', { name: 'ops' }, { field: 'url', cause });
    assert.equal(err.field, 'url');
    assert.equal(err.cause, cause);
    assert.equal(err.message, 'webhook ops: url is not a URL');
  });
});

/** The rows `| \`CODE\` | kind | HTTP | exit | ...` of docs/errors.md. */
function documentedCodes(): Map<string, { kind: string; status: number; exit: number }> {
  const text = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
  const rows = new Map<string, { kind: string; status: number; exit: number }>();
  for (const m of text.matchAll(/^\| `(PHAROS_[A-Z0-9_]+)` \| (\w+) \| (\d+) \| (\d+) \|/gm)) {
    assert.ok(!rows.has(m[1]!), `docs/errors.md lists ${m[1]} twice`);
    rows.set(m[1]!, { kind: m[2]!, status: Number(m[3]), exit: Number(m[4]) });
  }
  return rows;
}

describe('docs/errors.md and docs/exit-codes.md', () => {
  test('every code of the catalogue is documented, with its kind, HTTP status and exit code', () => {
    const documented = documentedCodes();
    for (const code of codes) {
      const row = documented.get(code);
      assert.ok(row, `${code} is not in docs/errors.md`);
      const { kind, status, exit } = ERRORS[code];
      assert.deepEqual(row, { kind, status, exit }, `${code}: docs/errors.md differs from the catalogue`);
    }
  });

  test('docs/errors.md lists no code that does not exist', () => {
    for (const code of documentedCodes().keys()) assert.ok(code in ERRORS, `${code} is not in the catalogue`);
  });

  test('docs/exit-codes.md is the exit-code table, word for word', () => {
    const text = readFileSync(join(ROOT, 'docs/exit-codes.md'), 'utf8');
    const rows = [...text.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2]]);
    assert.deepEqual(
      rows,
      Object.entries(EXIT_MEANINGS).map(([k, v]) => [Number(k), v]),
    );
  });
});

/** Text of every product source file (tests and test helpers excluded). */
function productSources(): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'testing') walk(p);
      } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(readFileSync(p, 'utf8'));
    }
  };
  for (const pkg of readdirSync(join(ROOT, 'packages'))) {
    try {
      walk(join(ROOT, 'packages', pkg, 'src'));
    } catch {
      /* no src */
    }
  }
  return out.join('\n').replace(/^.*PHAROS_[A-Z0-9_]+: (input|config|connect|state|internal)\(.*$/gm, '');
}

describe('catalogue and code', () => {
  test('every code is raised somewhere (no stale entry)', () => {
    const sources = productSources();
    const unused = codes.filter((c) => !sources.includes(`'${c}'`));
    assert.deepEqual(unused, []);
  });

  test('product code throws no uncoded Pharos error (only pharosError and the kinds with a code)', () => {
    const sources = productSources();
    const bare = [
      ...sources.matchAll(/new (InputError|ConfigError|PharosError|ConnectError)\((?!\s*code\b)/g),
    ];
    assert.deepEqual(
      bare.map((m) => m[0]),
      [],
    );
  });
});
