import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { z } from 'zod';
import { ConfigError, InputError } from '../errors/index.js';
import {
  CONFIG_FILE_CODES,
  loadSettings,
  parseSettings,
  type SettingsFile,
  settingsProblems,
  settingsTable,
  undescribedFields,
} from './index.js';

const schema = z.strictObject({
  name: z.string().min(1).describe('a name'),
  port: z.int().min(1).max(65535).default(8443).describe('a port'),
  nested: z
    .strictObject({ ttl: z.int().positive().default(30).describe('seconds') })
    .prefault({})
    .describe('n'),
});

const FILE: SettingsFile<typeof schema> = {
  what: 'test configuration',
  schema,
  codes: CONFIG_FILE_CODES,
  rawProblems: (raw) => ((raw as { name?: unknown }).name === 'ca' ? ["name: 'ca' is reserved"] : []),
  valueProblems: (v) => (v.port === v.nested.ttl ? ['port: equals nested.ttl'] : []),
};

const dir = mkdtempSync(join(tmpdir(), 'pharos-settings-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('settings loader', () => {
  test('applies defaults', () => {
    assert.deepEqual(parseSettings(FILE, { name: 'x' }, 'f.yml'), {
      name: 'x',
      port: 8443,
      nested: { ttl: 30 },
    });
  });

  test('lists every problem at once, schema and raw rules together, in one format', () => {
    assert.deepEqual(settingsProblems(FILE, { name: 'ca', port: 0, nested: { ttl: -1, x: 1 }, colour: 1 }), [
      'port: 0 is too small (must be at least 1)',
      'nested.ttl: -1 is too small (must be over 0)',
      "nested.x: unknown field 'x'",
      "colour: unknown field 'colour'",
      "name: 'ca' is reserved",
    ]);
    assert.throws(
      () => parseSettings(FILE, { name: 'ca', port: 0 }, 'f.yml'),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.code === 'PHAROS_SETTINGS_INVALID' &&
        err.message ===
          "f.yml: invalid test configuration (2 problems):\n  - port: 0 is too small (must be at least 1)\n  - name: 'ca' is reserved",
    );
  });

  test('value rules run once the schema passes', () => {
    assert.deepEqual(settingsProblems(FILE, { name: 'x', port: 30 }), ['port: equals nested.ttl']);
    assert.deepEqual(settingsProblems(FILE, { name: '', port: 30 }), [
      "name: '' is too small (must be at least 1)",
    ]);
  });

  test('a document that is not a mapping is one problem', () => {
    assert.deepEqual(settingsProblems(FILE, [1]), [
      '(top level): expected a mapping of test configuration fields',
    ]);
    assert.deepEqual(settingsProblems(FILE, null), [
      '(top level): expected a mapping of test configuration fields',
    ]);
  });

  test('files: unreadable, not YAML (duplicate keys too), invalid; each names the file and has its code', () => {
    const path = join(dir, 'a.yml');
    assert.throws(() => loadSettings(FILE, join(dir, 'none.yml')), {
      code: 'PHAROS_SETTINGS_UNREADABLE',
      message: /none\.yml: cannot read the test configuration file: ENOENT/,
    });
    writeFileSync(path, 'name: a\nname: b\n');
    assert.throws(() => loadSettings(FILE, path), {
      code: 'PHAROS_SETTINGS_NOT_YAML',
      message: /a\.yml: not valid YAML: .*unique/i,
    });
    writeFileSync(path, 'name: a\nport: 99999\n');
    assert.throws(() => loadSettings(FILE, path), { code: 'PHAROS_SETTINGS_INVALID' });
    writeFileSync(path, 'name: a\n');
    assert.equal(loadSettings(FILE, path).port, 8443);
  });

  test('the codes of an input file are InputErrors (exit code 2)', () => {
    const topo: SettingsFile<typeof schema> = {
      ...FILE,
      codes: {
        unreadable: 'PHAROS_TOPOLOGY_UNREADABLE',
        notYaml: 'PHAROS_TOPOLOGY_NOT_YAML',
        unusable: 'PHAROS_TOPOLOGY_YAML_UNUSABLE',
        invalid: 'PHAROS_TOPOLOGY_INVALID',
      },
    };
    assert.throws(
      () => parseSettings(topo, {}, 't.yml'),
      (err: unknown) =>
        err instanceof InputError && err.exitCode === 2 && err.code === 'PHAROS_TOPOLOGY_INVALID',
    );
  });

  test('the reference table comes from the schema', () => {
    assert.deepEqual(undescribedFields(FILE), []);
    assert.deepEqual(undescribedFields({ ...FILE, schema: z.strictObject({ a: z.string() }) } as never), [
      'a',
    ]);
    const table = settingsTable(FILE);
    assert.match(table, /^\| `port` \| integer \(≥ 1, ≤ 65535\) \| no \| `8443` \| a port \|$/m);
    assert.match(table, /^\| `nested.ttl` \| integer \(> 0\) \| no \| `30` \| seconds \|$/m);
    assert.match(table, /^\| `name` \| string \| yes \| {2}\| a name \|$/m);
  });
});
