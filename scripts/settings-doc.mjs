#!/usr/bin/env node
// Writes docs/settings.md from the settings files' declarations
// (packages/cli/src/docs/settings-doc.ts). Build first (npx tsc -b packages/cli).
//   node scripts/settings-doc.mjs
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSettingsDoc } from '../packages/cli/dist/docs/settings-doc.js';

const path = fileURLToPath(new URL('../docs/settings.md', import.meta.url));
writeFileSync(path, renderSettingsDoc());
console.log(`settings-doc: wrote ${path}`);
