/**
 * Serves the browser UI: the static files of `packages/web/ui/` (HTML, CSS,
 * JavaScript modules), read once at start and served from memory. `GET /`
 * is `index.html`; every other file is `GET /ui/<name>`. Only files present
 * at start are served (no path is ever joined from a request), with
 * `Cache-Control: no-cache` so a new version shows at the next load.
 * Third-party modules (vendor.ts) are `GET /ui/vendor/<name>`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
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

interface StaticFile {
  body: Buffer;
  type: string;
}

/** Reads every servable file of `dir` (flat; known extensions only). Throws when index.html is missing. */
export function loadUiFiles(dir: string = UI_DIR): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    const path = join(dir, name);
    if (!type || !statSync(path).isFile()) continue;
    files.set(name, { body: readFileSync(path), type });
  }
  if (!files.has('index.html')) throw new Error(`the web UI has no index.html in ${dir}`);
  return files;
}

/** Registers GET /, GET /ui/:name serving `files` and GET /ui/vendor/:name serving `vendor`. */
export function registerUiRoutes(
  app: FastifyInstance,
  files: Map<string, StaticFile>,
  vendor: Map<string, VendorFile> = new Map(),
): void {
  const send = (name: string, reply: import('fastify').FastifyReply, from = files) => {
    const f = from.get(name);
    if (!f) return reply.code(404).send({ error: `no UI file ${name}` });
    return reply.type(f.type).header('cache-control', 'no-cache').send(f.body);
  };
  const nameParams = {
    type: 'object',
    properties: { name: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' } },
    required: ['name'],
  } as const;
  app.get('/', { schema: { summary: 'The UI page', hide: true } }, (_request, reply) =>
    send('index.html', reply),
  );
  app.get<{ Params: { name: string } }>(
    '/ui/vendor/:name',
    { schema: { summary: 'A third-party UI module', hide: true, params: nameParams } },
    (request, reply) => send(request.params.name, reply, vendor),
  );
  app.get<{ Params: { name: string } }>(
    '/ui/:name',
    {
      schema: { summary: 'A UI file', hide: true, params: nameParams },
    },
    (request, reply) => send(request.params.name, reply),
  );
}
