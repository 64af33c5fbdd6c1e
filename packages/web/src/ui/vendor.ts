/**
 * The UI's third-party modules, served from the installed npm packages (no
 * build step, no CDN): Preact and its hooks, htm (JSX-like templates without
 * a compiler, no eval, so the CSP needs no 'unsafe-eval'), and uPlot with its
 * stylesheet. Read once at start. The hooks module imports the bare name
 * "preact", which a browser cannot resolve without an import map (an inline
 * script the CSP forbids), so that one import is rewritten to the served path.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pharosError } from '@pharos/core/errors';

/** A vendor file: its body and content type. */
export interface VendorFile {
  body: Buffer;
  type: string;
}

const JS = 'text/javascript; charset=utf-8';

function fileOf(specifier: string): string {
  return fileURLToPath(import.meta.resolve(specifier));
}

/**
 * Loads the vendor files, keyed by the name served under /ui/vendor/.
 * @throws Error when a package is missing or the hooks module no longer
 *   imports "preact" the way this rewrite expects.
 */
export function loadVendorFiles(): Map<string, VendorFile> {
  const preact = fileOf('preact');
  const hooksText = readFileSync(fileOf('preact/hooks'), 'utf8');
  const rewritten = hooksText.replaceAll(/from\s*["']preact["']/g, 'from"/ui/vendor/preact.js"');
  if (rewritten === hooksText || /from\s*["']preact["']/.test(rewritten))
    throw pharosError('PHAROS_INTERNAL_VENDOR_REWRITE');
  const uplotDir = dirname(fileOf('uplot'));
  return new Map<string, VendorFile>([
    ['preact.js', { body: readFileSync(preact), type: JS }],
    ['preact-hooks.js', { body: Buffer.from(rewritten), type: JS }],
    ['htm.js', { body: readFileSync(fileOf('htm')), type: JS }],
    ['uplot.js', { body: readFileSync(join(uplotDir, 'uPlot.esm.js')), type: JS }],
    ['uplot.css', { body: readFileSync(join(uplotDir, 'uPlot.min.css')), type: 'text/css; charset=utf-8' }],
  ]);
}
