/** Shape of GET /api/health (health.ts). */
import { type Static, Type } from 'typebox';
import { Nullable } from './common.js';

/** Answer of GET /api/health. */
export const Health = Type.Object({
  version: Type.String(),
  backend: Type.Object({
    reachable: Type.Boolean(),
    host: Nullable(Type.String()),
    port: Nullable(Type.Integer()),
    isPrimary: Nullable(Type.Boolean()),
    error: Type.Optional(Type.String()),
  }),
});
export type Health = Static<typeof Health>;
