/**
 * Serves the browser UI: the static files of `packages/web/ui/` (HTML, CSS,
 * JavaScript modules), read once at start and served from memory. `GET /`
 * is `index.html`; every other file is `GET /ui/<name>`. Only files present
 * at start are served (no path is ever joined from a request), with
 * `Cache-Control: no-cache` so a new version shows at the next load.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

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

/** Registers GET / and GET /ui/:name serving `files`. */
export function registerUiRoutes(app: FastifyInstance, files: Map<string, StaticFile>): void {
  const send = (name: string, reply: import('fastify').FastifyReply) => {
    const f = files.get(name);
    if (!f) return reply.code(404).send({ error: `no UI file ${name}` });
    return reply.type(f.type).header('cache-control', 'no-cache').send(f.body);
  };
  app.get('/', { schema: { summary: 'The UI page' } }, (_request, reply) => send('index.html', reply));
  app.get<{ Params: { name: string } }>(
    '/ui/:name',
    {
      schema: {
        summary: 'A UI file',
        params: {
          type: 'object',
          properties: { name: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' } },
          required: ['name'],
        },
      },
    },
    (request, reply) => send(request.params.name, reply),
  );
}
