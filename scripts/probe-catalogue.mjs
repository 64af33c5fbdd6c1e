#!/usr/bin/env node
// Writes packages/backend/sql/catalogue/probes.sql, the probe catalogue the
// backend ships, from the agent's probe definitions (packages/agent/src/probes,
// compiled: run `npm run build` first). `--check`: only compare, exit 1 when
// the file differs (packages/agent/src/probes/catalogue-sql.test.ts does the same).
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const { ALL_PROBES } = await import(new URL('packages/agent/dist/probes/catalog.js', root).href);
const { CATALOGUE_FILE, probeCatalogueSql } = await import(
  new URL('packages/agent/dist/probes/catalogue-sql.js', root).href
);
const file = new URL(`packages/backend/${CATALOGUE_FILE}`, root);
const text = probeCatalogueSql(ALL_PROBES);
let current = '';
try {
  current = readFileSync(file, 'utf8');
} catch {
  /* not written yet */
}
if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error(`${file.pathname} is out of date: run node scripts/probe-catalogue.mjs`);
    process.exit(1);
  }
  console.log(`${file.pathname}: up to date (${ALL_PROBES.length} probes)`);
} else if (current === text) {
  console.log(`${file.pathname}: unchanged (${ALL_PROBES.length} probes)`);
} else {
  writeFileSync(file, text);
  console.log(`${file.pathname}: written (${ALL_PROBES.length} probes)`);
}
