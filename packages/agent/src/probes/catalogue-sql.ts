/**
 * The release's probe catalogue as the backend applies it: the text of
 * `packages/backend/sql/catalogue/probes.sql`, generated from the probe
 * definitions of this package (their descriptive part, as
 * {@link catalogJson} writes it) by `node scripts/probe-catalogue.mjs`, and
 * checked against them by `catalogue-sql.test.ts`. The migration runner
 * upserts it into `pem.probe` (`pem.merge_probe_catalogue`) on the primary;
 * agents never write `pem.probe`.
 */
import { catalogJson } from '../backend-link/backend-sync.js';
import type { Probe } from './types.js';

/** Path of the generated file below the backend package. */
export const CATALOGUE_FILE = 'sql/catalogue/probes.sql';

/** The SQL text of the catalogue file for `probes`: one probe per line, in the given order. */
export function probeCatalogueSql(probes: readonly Probe[]): string {
  const lines = catalogJson(probes).map((p) => `  ${JSON.stringify(p)}`);
  for (const l of lines) {
    if (l.includes('$catalogue$')) throw new Error(`a probe definition contains the quote $catalogue$: ${l}`);
  }
  return [
    '-- The probes this release ships (pem.probe), generated from packages/agent/src/probes by',
    '-- `node scripts/probe-catalogue.mjs` (after the build); do not edit: change the probe',
    '-- definitions and generate it again (packages/agent/src/probes/catalogue-sql.test.ts checks it).',
    '-- pem.merge_probe_catalogue adds the probes the database lacks and keeps the descriptive fields of',
    "-- the others in step; interval, enablement, history mode and retention are the administrator's.",
    'SELECT pem.merge_probe_catalogue($catalogue$[',
    lines.join(',\n'),
    ']$catalogue$::jsonb);',
    '',
  ].join('\n');
}
