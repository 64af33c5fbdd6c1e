/**
 * Shapes of the probe routes (probes.ts; issue 18, docs/custom-probes.md):
 * the body is the backend's declaration (@pharos/backend/probes/
 * custom-probe-shapes), which custom-probes.ts takes; the answers are here.
 */
import { CustomProbeCheck, CustomProbeColumn } from '@pharos/backend/probes/custom-probe-shapes';
import { Type } from 'typebox';
import { Nullable, Text } from './common.js';

export { CustomProbeBody, CustomProbeCheck } from '@pharos/backend/probes/custom-probe-shapes';

/** `:name` of /api/probes/:name. */
export const ProbeNameParams = Type.Object(
  { name: Text({ minLength: 1, maxLength: 63, description: 'probe name' }) },
  { additionalProperties: false },
);

/** Query of GET /api/probes. */
export const ProbeListQuery = Type.Object(
  { custom: Type.Optional(Type.Boolean({ description: 'only custom probes' })) },
  { additionalProperties: false },
);

/** A probe, built-in or custom, with its definition (pem.probe). */
export const ProbeDefinition = Type.Object(
  {
    name: Type.String(),
    custom: Type.Boolean(),
    level: Type.String({ description: 'agent, server or database' }),
    description: Type.String(),
    intervalS: Type.Integer(),
    timeoutMs: Type.Integer(),
    enabled: Type.Boolean(),
    runsOn: Type.String({ description: 'both, primary or standby' }),
    columns: Type.Array(CustomProbeColumn),
    sql: Nullable(Type.Record(Type.String(), Type.String(), { description: 'custom probes: SQL by major' })),
    objectColumn: Nullable(Type.String()),
    runTag: Nullable(Type.String()),
    runServerIds: Nullable(Type.Array(Type.Integer())),
    createdBy: Nullable(Type.String()),
    updatedBy: Nullable(Type.String()),
    definedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** Answer of POST /api/probes and PUT /api/probes/:name. */
export const ProbeSaved = Type.Object(
  { probe: ProbeDefinition, check: CustomProbeCheck },
  { additionalProperties: false },
);

/** A 422 answer: the check on the server failed, nothing was written. */
export const ProbeCheckFailed = Type.Object(
  {
    code: Type.Literal('PHAROS_PROBE_CHECK_FAILED', { description: 'catalogue code (docs/errors.md)' }),
    error: Type.String({
      description: "the check's sentence: PostgreSQL's message, or the columns that differ",
    }),
    field: Type.Optional(
      Type.String({ description: 'sql (check.sqlKey names the text), columns or checkServerId' }),
    ),
    check: CustomProbeCheck,
  },
  { additionalProperties: false },
);

/** Answer of DELETE /api/probes/:name. */
export const ProbeRemoved = Type.Object({ removed: Type.String() }, { additionalProperties: false });
