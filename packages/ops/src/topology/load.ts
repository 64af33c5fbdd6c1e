/**
 * Reads a topology file (YAML) and validates it, with the settings loader
 * (@pharos/core/settings) and the topology's declaration (validate.ts): a
 * regular file of at most 1 MiB, YAML without an alias bomb (security review L8).
 */
import {
  loadSettings,
  MAX_ALIAS_COUNT,
  MAX_SETTINGS_BYTES,
  parseSettingsYaml,
  readSettingsText,
} from '@pharos/core/settings';
import type { PathContext } from './paths.js';
import type { Topology } from './types.js';
import { normalise, TOPOLOGY_FILE, topologyFile } from './validate.js';

/** Largest topology file read, bytes (1 MiB; the reference deployment's file is under 2 KiB). */
export const MAX_TOPOLOGY_BYTES = MAX_SETTINGS_BYTES;

/** Most YAML aliases (`*name`) a topology may use (the settings loader's bound: an alias bomb is refused). */
export { MAX_ALIAS_COUNT };

/**
 * Parses topology YAML text. Duplicate keys and syntax errors are errors, and
 * so are aliases that would expand past {@link MAX_ALIAS_COUNT} nodes.
 * @throws InputError PHAROS_TOPOLOGY_NOT_YAML `<source>: not valid YAML: <line/column and problem>`,
 *   or PHAROS_TOPOLOGY_YAML_UNUSABLE `<source>: not usable YAML: aliases expand too much ...`
 */
export function parseTopologyYaml(text: string, source: string): unknown {
  return parseSettingsYaml(TOPOLOGY_FILE, text, source);
}

/**
 * Reads the topology file's text: a regular file (not a device, FIFO or
 * directory: `/dev/zero` would never end) of at most
 * {@link MAX_TOPOLOGY_BYTES}, decoded as UTF-8.
 * @throws InputError PHAROS_TOPOLOGY_UNREADABLE naming the file and the problem.
 */
export function readTopologyText(path: string): string {
  return readSettingsText(TOPOLOGY_FILE, path);
}

/**
 * Loads and validates the topology file at `path` (docs/topology.md).
 * `context` 'lab' admits a relative `postgres.data_dir` (the lab's
 * per-host directories); the default, 'deployment', needs absolute paths.
 * @throws InputError (exit code 2) when the file cannot be read (missing, not
 *   a regular file, over 1 MiB: PHAROS_TOPOLOGY_UNREADABLE), is not YAML
 *   (PHAROS_TOPOLOGY_NOT_YAML, _YAML_UNUSABLE), or is not a valid topology
 *   (PHAROS_TOPOLOGY_INVALID, every problem listed, see validateTopology).
 */
export function loadTopology(path: string, context: PathContext = 'deployment'): Topology {
  return normalise(loadSettings(topologyFile(context), path));
}
