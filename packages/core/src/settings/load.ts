/**
 * The one loader of Pharos's settings files (agent.yml, web.yml, the
 * topology): YAML (JSON is YAML too) checked against a zod schema that
 * holds every field's type, range, default and description, then against the
 * rules the schema cannot state (several fields together, files on disk).
 * Every problem is listed at once, in one format:
 *
 *     /etc/pharos/agent.yml: invalid agent configuration (2 problems):
 *       - spool_max_bytes: 1000 is too small (must be at least 65536)
 *       - colour: unknown field 'colour'
 *
 * A file that cannot be read, or is not YAML (duplicate keys included), is
 * one error naming the file and why; so is a file that is not a regular
 * file or is over {@link MAX_SETTINGS_BYTES}, and YAML whose aliases expand
 * past {@link MAX_ALIAS_COUNT} nodes (an "alias bomb": security review L8).
 * The failures have a catalogue
 * code each, chosen by the file's declaration ({@link SettingsCodes}):
 * configuration files fail with ConfigError, the topology (an input of
 * `pharos plan`) with InputError.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { pharosError } from '../errors/create.js';
import { messageOf, PharosError } from '../errors/kinds.js';
import { schemaProblems } from './issues.js';

/** The catalogue codes of a settings file's three failures (their templates share placeholders). */
export interface SettingsCodes {
  /** `{file}: cannot read the {what} file: {reason}` */
  unreadable: 'PHAROS_SETTINGS_UNREADABLE' | 'PHAROS_TOPOLOGY_UNREADABLE';
  /** `{file}: not valid YAML: {reason}` */
  notYaml: 'PHAROS_SETTINGS_NOT_YAML' | 'PHAROS_TOPOLOGY_NOT_YAML';
  /** `{file}: not usable YAML: aliases expand too much (more than {max} aliased nodes; a {what} file needs none): {reason}` */
  unusable: 'PHAROS_SETTINGS_YAML_UNUSABLE' | 'PHAROS_TOPOLOGY_YAML_UNUSABLE';
  /** `{file}: invalid {what} ({count}):` and one `  - <field>: <problem>` line per problem */
  invalid: 'PHAROS_SETTINGS_INVALID' | 'PHAROS_TOPOLOGY_INVALID';
}

/** Largest settings file read, bytes (1 MiB; the reference deployment's topology is under 2 KiB). */
export const MAX_SETTINGS_BYTES = 1024 * 1024;

/**
 * Most YAML aliases (`*name`) a settings file may use. No settings file has a
 * use for them beyond a few; the `yaml` library's `maxAliasCount` bounds what
 * they expand to, which stops an "alias bomb" (a few lines that expand to
 * billions of nodes).
 */
export const MAX_ALIAS_COUNT = 100;

/** The codes of configuration files (agent.yml, web.yml): ConfigError, exit code 1. */
export const CONFIG_FILE_CODES: SettingsCodes = {
  unreadable: 'PHAROS_SETTINGS_UNREADABLE',
  notYaml: 'PHAROS_SETTINGS_NOT_YAML',
  unusable: 'PHAROS_SETTINGS_YAML_UNUSABLE',
  invalid: 'PHAROS_SETTINGS_INVALID',
};

/** One kind of settings file: its schema and its rules. */
export interface SettingsFile<S extends z.ZodType> {
  /** What the file is, in messages and docs: `agent configuration`. */
  what: string;
  /** Fields, types, ranges and defaults; `.describe()` on every field (docs/settings.md is made from it). */
  schema: S;
  /** Failure codes. */
  codes: SettingsCodes;
  /**
   * Problems the schema cannot state, found on the raw document; run even when
   * the schema fails, so a file gets all its problems at once. Each `<field>: <problem>`.
   */
  rawProblems?: (raw: unknown) => string[];
  /** Problems of the parsed value (several fields together, files on disk); run when the schema passed. */
  valueProblems?: (value: z.output<S>) => string[];
}

/** A settings file of any schema (lists of files: docs, tests). */
export type AnySettingsFile = SettingsFile<z.ZodType>;

/** Every problem of a parsed document against `file` (empty when it is valid). */
export function settingsProblems<S extends z.ZodType>(file: SettingsFile<S>, raw: unknown): string[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return [`(top level): expected a mapping of ${file.what} fields`];
  }
  const parsed = file.schema.safeParse(raw);
  const problems = parsed.success ? [] : schemaProblems(parsed.error.issues, raw);
  problems.push(...(file.rawProblems?.(raw) ?? []));
  if (parsed.success && problems.length === 0) problems.push(...(file.valueProblems?.(parsed.data) ?? []));
  return problems;
}

/**
 * Validates a parsed document (`source` names it in the message) and returns
 * the value with defaults filled in.
 * @throws the file's `invalid` error listing every problem, one per line
 */
export function parseSettings<S extends z.ZodType>(
  file: SettingsFile<S>,
  raw: unknown,
  source: string,
): z.output<S> {
  const problems = settingsProblems(file, raw);
  if (problems.length > 0) {
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    throw pharosError(file.codes.invalid, {
      file: source,
      what: file.what,
      count,
      problems: problems.map((p) => `  - ${p}`).join('\n'),
    });
  }
  return file.schema.parse(raw);
}

/**
 * Parses YAML text (`source` names it). Duplicate keys and syntax errors are errors.
 * @throws the file's `notYaml` error: `<source>: not valid YAML: <line/column and problem>`,
 *   or its `unusable` error, `<source>: not usable YAML: aliases expand too much ...` (aliases
 *   expanding past {@link MAX_ALIAS_COUNT} nodes: the yaml library's "Excessive alias count")
 */
export function parseSettingsYaml<S extends z.ZodType>(
  file: SettingsFile<S>,
  text: string,
  source: string,
): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw pharosError(file.codes.notYaml, {
      file: source,
      reason: doc.errors.map((e) => e.message).join('; '),
    });
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw pharosError(
      file.codes.unusable,
      { file: source, what: file.what, max: MAX_ALIAS_COUNT, reason: messageOf(err) },
      { cause: err },
    );
  }
}

/**
 * Reads the text of the settings file at `path`: a regular file (not a
 * device, FIFO or directory: `/dev/zero` would never end) of at most
 * {@link MAX_SETTINGS_BYTES}, decoded as UTF-8. The file is opened once and
 * checked through its descriptor, so what is checked is what is read.
 * @throws the file's `unreadable` error naming the file and the problem
 */
export function readSettingsText<S extends z.ZodType>(file: SettingsFile<S>, path: string): string {
  const unreadable = (reason: string, cause?: unknown) =>
    pharosError(
      file.codes.unreadable,
      { file: path, what: file.what, reason },
      cause === undefined ? undefined : { cause },
    );
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw unreadable(messageOf(err), err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw unreadable(
        `not a regular file (${st.isDirectory() ? 'a directory' : 'a device, FIFO or socket'})`,
      );
    }
    if (st.size > MAX_SETTINGS_BYTES)
      throw unreadable(`it is ${st.size} bytes; at most ${MAX_SETTINGS_BYTES} (1 MiB) are read`);
    // Read one byte more than the cap: a file that grew after fstat is refused too.
    const buf = Buffer.alloc(MAX_SETTINGS_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_SETTINGS_BYTES) throw unreadable(`it is over ${MAX_SETTINGS_BYTES} bytes (1 MiB)`);
    }
    return buf.subarray(0, length).toString('utf8');
  } catch (err) {
    if (err instanceof PharosError) throw err;
    throw unreadable(messageOf(err), err);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads, parses and validates the settings file at `path`.
 * @throws the file's `unreadable`, `notYaml`, `unusable` or `invalid` error, each naming the file
 */
export function loadSettings<S extends z.ZodType>(file: SettingsFile<S>, path: string): z.output<S> {
  return parseSettings(file, parseSettingsYaml(file, readSettingsText(file, path), path), path);
}
