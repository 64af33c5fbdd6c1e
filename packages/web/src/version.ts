/** This package's version (from packages/web/package.json), reported by GET /api/health. */
import { readFileSync } from 'node:fs';

/** The @pharos/web version, e.g. `0.1.0`. */
export const WEB_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
