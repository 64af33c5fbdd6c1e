/**
 * Reads a topology file (YAML) and validates it.
 */
import { readFileSync } from 'node:fs';
import { InputError, messageOf } from '@pharos/core/errors';
import { parseDocument } from 'yaml';
import type { Topology } from './types.js';
import { validateTopology } from './validate.js';

/**
 * Parses topology YAML text. Duplicate keys and syntax errors are errors.
 * @throws InputError `<source>: not valid YAML: <line/column and problem>`,
 *   or `not usable YAML` (an alias expanding beyond the yaml library's limit)
 */
export function parseTopologyYaml(text: string, source: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new InputError(`${source}: not valid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  try {
    return doc.toJS();
  } catch (err) {
    // the yaml library refuses alias expansion beyond its limit ("Excessive alias count")
    throw new InputError(`${source}: not usable YAML: ${messageOf(err)}`, { cause: err });
  }
}

/**
 * Loads and validates the topology file at `path` (docs/topology.md).
 * @throws InputError (exit code 2) when the file cannot be read, is not YAML,
 *   or is not a valid topology (every problem listed, see validateTopology).
 */
export function loadTopology(path: string): Topology {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read the topology file: ${messageOf(err)}`, { cause: err });
  }
  return validateTopology(parseTopologyYaml(text, path), path);
}
