/**
 * Topology validation: schema (structure, types, unknown fields, defaults)
 * plus value rules, every problem reported at once, through the settings
 * loader (@pharos/core/settings).
 */
import { parseSettings, type SettingsFile, settingsProblems } from '@pharos/core/settings';
import { valueProblems } from './checks.js';
import type { PathContext } from './paths.js';
import { type ParsedTopology, topologySchema } from './schema.js';
import type { Architecture, Topology } from './types.js';

/**
 * The topology as a settings file: an input of `pharos plan` (InputError,
 * exit code 2). `context` 'lab' admits a relative `postgres.data_dir`; a
 * deployment (the default) needs absolute paths (paths.ts).
 */
export function topologyFile(context: PathContext = 'deployment'): SettingsFile<typeof topologySchema> {
  return {
    what: 'topology',
    schema: topologySchema,
    codes: {
      unreadable: 'PHAROS_TOPOLOGY_UNREADABLE',
      notYaml: 'PHAROS_TOPOLOGY_NOT_YAML',
      unusable: 'PHAROS_TOPOLOGY_YAML_UNUSABLE',
      invalid: 'PHAROS_TOPOLOGY_INVALID',
    },
    rawProblems: (raw) => valueProblems(raw, context),
  };
}

/** The topology of a deployment as a settings file (docs/settings.md is made from it). */
export const TOPOLOGY_FILE = topologyFile('deployment');

/**
 * Every problem of raw topology data (the parsed YAML), as messages that each
 * name the field and the value, e.g.
 * `backends[1].address: duplicate address '172.16.161.200' (also backends[0].address)`.
 * Empty when the data is a valid, supported topology. The messages are listed
 * in docs/topology.md ("Validation"). `context` 'lab' admits a relative
 * `postgres.data_dir`; a deployment (the default) needs absolute paths.
 */
export function topologyProblems(data: unknown, context: PathContext = 'deployment'): string[] {
  return settingsProblems(topologyFile(context), data);
}

/** Fills the defaults that depend on other fields (PGDG paths of RHEL 9, as in the reference). */
export function normalise(p: ParsedTopology): Topology {
  const v = p.postgres.version;
  return {
    ...p,
    architecture: p.architecture as Architecture,
    postgres: {
      version: v,
      bin_dir: p.postgres.bin_dir ?? `/usr/pgsql-${v}/bin`,
      data_dir: p.postgres.data_dir ?? `/var/lib/pgsql/${v}/data`,
      port: p.postgres.port,
    },
  };
}

/**
 * Validates raw topology data (e.g. parsed YAML) and returns the topology
 * with defaults filled in (docs/topology.md lists them).
 *
 * @param data the parsed document
 * @param source where it came from (a path), for the error message
 * @param context 'deployment' (default: every path absolute) or 'lab'
 * @throws InputError PHAROS_TOPOLOGY_INVALID (exit code 2) listing every problem, one per line:
 *   `<source>: invalid topology (N problems):\n  - <problem>\n  - ...`
 */
export function validateTopology(
  data: unknown,
  source: string,
  context: PathContext = 'deployment',
): Topology {
  return normalise(parseSettings(topologyFile(context), data, source));
}
