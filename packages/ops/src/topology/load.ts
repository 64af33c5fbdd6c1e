/**
 * Reads a topology file (YAML) and validates it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError, messageOf } from '@pharos/core/errors';
import { parseDocument } from 'yaml';
import type { PathContext } from './paths.js';
import type { Topology } from './types.js';
import { validateTopology } from './validate.js';

/** Largest topology file read, bytes (1 MiB; the reference deployment's file is under 2 KiB). */
export const MAX_TOPOLOGY_BYTES = 1024 * 1024;

/**
 * Most YAML aliases (`*name`) a topology may use. A topology has no use for
 * them beyond a few; the `yaml` library's `maxAliasCount` bounds what they
 * expand to, which stops an "alias bomb" (a few lines that expand to
 * billions of nodes).
 */
export const MAX_ALIAS_COUNT = 100;

/**
 * Parses topology YAML text. Duplicate keys and syntax errors are errors, and
 * so are aliases that would expand past {@link MAX_ALIAS_COUNT} nodes.
 * @throws InputError `<source>: not valid YAML: <line/column and problem>`,
 *   or `<source>: YAML aliases expand too much ...`
 */
export function parseTopologyYaml(text: string, source: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new InputError(`${source}: not valid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // The yaml library throws a ReferenceError ("Excessive alias count ...") for an alias bomb.
    throw new InputError(
      `${source}: YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} aliased nodes; a topology needs none): ${messageOf(err)}`,
      { cause: err },
    );
  }
}

/**
 * Reads the topology file's text: a regular file (not a device, FIFO or
 * directory: `/dev/zero` would never end) of at most
 * {@link MAX_TOPOLOGY_BYTES}, decoded as UTF-8. The file is opened once and
 * checked through its descriptor, so what is checked is what is read.
 * @throws InputError naming the file and the problem.
 */
export function readTopologyText(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new InputError(`${path}: cannot read the topology file: ${messageOf(err)}`, { cause: err });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new InputError(
        `${path}: cannot read the topology file: not a regular file (${st.isDirectory() ? 'a directory' : 'a device, FIFO or socket'})`,
      );
    }
    if (st.size > MAX_TOPOLOGY_BYTES) {
      throw new InputError(
        `${path}: the topology file is ${st.size} bytes; at most ${MAX_TOPOLOGY_BYTES} (1 MiB) are read`,
      );
    }
    // Read one byte more than the cap: a file that grew after fstat is refused too.
    const buf = Buffer.alloc(MAX_TOPOLOGY_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_TOPOLOGY_BYTES) {
        throw new InputError(`${path}: the topology file is over ${MAX_TOPOLOGY_BYTES} bytes (1 MiB)`);
      }
    }
    return buf.subarray(0, length).toString('utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${path}: cannot read the topology file: ${messageOf(err)}`, { cause: err });
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads and validates the topology file at `path` (docs/topology.md).
 * `context` 'lab' admits a relative `postgres.data_dir` (the lab's
 * per-host directories); the default, 'deployment', needs absolute paths.
 * @throws InputError (exit code 2) when the file cannot be read (missing, not
 *   a regular file, over 1 MiB), is not YAML, or is not a valid topology
 *   (every problem listed, see validateTopology).
 */
export function loadTopology(path: string, context: PathContext = 'deployment'): Topology {
  return validateTopology(parseTopologyYaml(readTopologyText(path), path), path, context);
}
