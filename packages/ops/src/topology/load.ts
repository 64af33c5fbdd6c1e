/**
 * Reads a topology file (YAML) and validates it, with the settings loader
 * (@pharos/core/settings) and the topology's declaration (validate.ts).
 */
import { loadSettings, parseSettingsYaml } from '@pharos/core/settings';
import type { Topology } from './types.js';
import { normalise, TOPOLOGY_FILE } from './validate.js';

/**
 * Parses topology YAML text. Duplicate keys and syntax errors are errors.
 * @throws InputError PHAROS_TOPOLOGY_NOT_YAML `<source>: not valid YAML: <line/column and problem>`
 */
export function parseTopologyYaml(text: string, source: string): unknown {
  return parseSettingsYaml(TOPOLOGY_FILE, text, source);
}

/**
 * Loads and validates the topology file at `path` (docs/topology.md).
 * @throws InputError (exit code 2) when the file cannot be read
 *   (PHAROS_TOPOLOGY_UNREADABLE), is not YAML (PHAROS_TOPOLOGY_NOT_YAML), or
 *   is not a valid topology (PHAROS_TOPOLOGY_INVALID, every problem listed,
 *   see validateTopology).
 */
export function loadTopology(path: string): Topology {
  return normalise(loadSettings(TOPOLOGY_FILE, path));
}
