/**
 * Serves the browser UI: the static files of `packages/web/ui/` and its
 * subfolders (HTML, CSS, JavaScript modules), read once at start and served
 * from memory. `GET /` is `index.html`; every other file is
 * `GET /ui/<path>`, e.g. `/ui/pages/overview/overview-page.js`. Only files
 * present at start are served (an allow-list: no path is ever joined from a
 * request), with `Cache-Control: no-cache` so a new version shows at the next
 * load. Third-party modules (vendor.ts) are `GET /ui/vendor/<name>`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pharosError } from '@pharos/core/errors';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { VendorFile } from './vendor.js';

/** Directory of the UI's static files (packages/web/ui, resolved from dist/ui/). */
export const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** One path segment a served file may have: lower case, digits, `.`, `_`, `-`; no leading dot. */
const SEGMENT = /^[a-z0-9][a-z0-9._-]*$/;

/** How deep the UI tree may go (ui/pages/alerts/webhooks/x.js is 3 folders deep). */
const MAX_DEPTH = 4;

interface StaticFile {
  body: Buffer;
  type: string;
}

/**
 * Reads every servable file under `dir`: files of a known extension whose
 * path segments all match {@link SEGMENT} (so dotfiles, `*.d.ts`... are
 * served too only when they match; unknown extensions never), keyed by their
 * path relative to `dir` with `/` separators (`lib/api.js`).
 * @throws Error when index.html is missing.
 */
export function loadUiFiles(dir: string = UI_DIR): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (sub: string, depth: number) => {
    for (const name of readdirSync(join(dir, sub)).sort()) {
      if (!SEGMENT.test(name)) continue;
      const rel = sub === '' ? name : `${sub}/${name}`;
      const path = join(dir, rel);
      const stat = statSync(path);
      if (stat.isDirectory()) {
        if (depth < MAX_DEPTH) walk(rel, depth + 1);
        continue;
      }
      const type = TYPES[extname(name)];
      if (type && stat.isFile()) files.set(rel, { body: readFileSync(path), type });
    }
  };
  walk('', 0);
  if (!files.has('index.html')) throw pharosError('PHAROS_WEB_UI_MISSING', { dir });
  return files;
}

/** Registers GET /, GET /ui/<path> serving `files` and GET /ui/vendor/:name serving `vendor`. */
export function registerUiRoutes(
  app: FastifyInstance,
  files: Map<string, StaticFile>,
  vendor: Map<string, VendorFile> = new Map(),
): void {
  const send = (name: string, reply: FastifyReply, from: Map<string, StaticFile>) => {
    const f = from.get(name);
    if (!f) return reply.code(404).send({ error: `no UI file ${name}` });
    return reply.type(f.type).header('cache-control', 'no-cache').send(f.body);
  };
  app.get('/', { schema: { summary: 'The UI page', hide: true } }, (_request, reply) =>
    send('index.html', reply, files),
  );
  app.get<{ Params: { name: string } }>(
    '/ui/vendor/:name',
    {
      schema: {
        summary: 'A third-party UI module',
        hide: true,
        params: {
          type: 'object',
          properties: { name: { type: 'string', pattern: SEGMENT.source } },
          required: ['name'],
        },
      },
    },
    (request, reply) => send(request.params.name, reply, vendor),
  );
  app.get<{ Params: { '*': string } }>(
    '/ui/*',
    { schema: { summary: 'A UI file', hide: true } },
    (request, reply) => {
      const path = request.params['*'];
      // Looked up in the map read at start; the check only keeps odd names out of the 404 text.
      if (!path.split('/').every((s) => SEGMENT.test(s)))
        return reply.code(404).send({ error: 'no such UI file' });
      return send(path, reply, files);
    },
  );
}
