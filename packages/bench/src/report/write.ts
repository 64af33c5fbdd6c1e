/**
 * Writes the report as `<dir>/<stem>.json` and `<dir>/<stem>.md`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMarkdown } from './markdown.js';
import type { BenchReport } from './types.js';

/** Writes both files (creating `dir`); resolves with their paths. */
export function writeReport(r: BenchReport, dir: string, stem: string): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${stem}.json`);
  const md = join(dir, `${stem}.md`);
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(md, renderMarkdown(r));
  return { json, md };
}
