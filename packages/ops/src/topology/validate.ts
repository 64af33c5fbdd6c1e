/**
 * Topology validation: schema (structure, types, unknown fields, defaults)
 * plus value rules, every problem reported at once.
 */
import { InputError } from '@pharos/core/errors';
import { valueProblems } from './checks.js';
import { schemaProblems } from './issues.js';
import type { PathContext } from './paths.js';
import { type ParsedTopology, topologySchema } from './schema.js';
import type { Architecture, Topology } from './types.js';

/**
 * Every problem of raw topology data (the parsed YAML), as messages that each
 * name the field and the value, e.g.
 * `backends[1].address: duplicate address '172.16.161.200' (also backends[0].address)`.
 * Empty when the data is a valid, supported topology. The messages are listed
 * in docs/topology.md ("Validation"). `context` 'lab' admits a relative
 * `postgres.data_dir`; a deployment (the default) needs absolute paths.
 */
export function topologyProblems(data: unknown, context: PathContext = 'deployment'): string[] {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return ['(top level): expected a mapping of topology fields'];
  }
  const parsed = topologySchema.safeParse(data);
  const fromSchema = parsed.success ? [] : schemaProblems(parsed.error.issues, data);
  return [...fromSchema, ...valueProblems(data, context)];
}

/** Fills the defaults that depend on other fields (PGDG paths of RHEL 9, as in the reference). */
function normalise(p: ParsedTopology): Topology {
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
 * @throws InputError (exit code 2) listing every problem, one per line:
 *   `<source>: invalid topology (N problems):\n  - <problem>\n  - ...`
 */
export function validateTopology(
  data: unknown,
  source: string,
  context: PathContext = 'deployment',
): Topology {
  const problems = topologyProblems(data, context);
  if (problems.length > 0) {
    const head = `${source}: invalid topology (${problems.length} problem${problems.length === 1 ? '' : 's'}):`;
    throw new InputError([head, ...problems.map((p) => `  - ${p}`)].join('\n'));
  }
  return normalise(topologySchema.parse(data));
}
