/**
 * Unit test of the UI file server (static.ts): files of subfolders are read
 * at start and served by their path; nothing else is (unknown extensions,
 * dotfiles, paths that climb out, names read after start).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Fastify from 'fastify';
import { loadUiFiles, registerUiRoutes, UI_DIR } from './static.js';

describe('UI file server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-ui-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const put = (rel: string, text: string) => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  put('index.html', '<!doctype html>');
  put('main.js', 'export {};');
  put('lib/api.js', 'export const api = 1;');
  put('pages/alerts/webhooks/webhook-form.js', 'export const form = 1;');
  put('pages/overview/overview.css', 'main {}');
  put('lib/notes.md', 'not served');
  put('.hidden/secret.js', 'not served');
  put('lib/.env.js', 'not served');

  it('reads the files of known extensions in every subfolder, keyed by their path', () => {
    assert.deepEqual([...loadUiFiles(dir).keys()].sort(), [
      'index.html',
      'lib/api.js',
      'main.js',
      'pages/alerts/webhooks/webhook-form.js',
      'pages/overview/overview.css',
    ]);
  });

  it('serves them by path with their type, and nothing else', async () => {
    const app = Fastify();
    registerUiRoutes(app, loadUiFiles(dir));
    put('lib/late.js', 'export {};');
    const get = (url: string) => app.inject({ method: 'GET', url });
    const ok = await get('/ui/pages/alerts/webhooks/webhook-form.js');
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.body, 'export const form = 1;');
    assert.match(String(ok.headers['content-type']), /^text\/javascript/);
    assert.equal(ok.headers['cache-control'], 'no-cache');
    assert.match(
      String((await get('/ui/pages/overview/overview.css')).headers['content-type']),
      /^text\/css/,
    );
    assert.equal((await get('/')).body, '<!doctype html>');
    for (const url of [
      '/ui/lib/notes.md',
      '/ui/.hidden/secret.js',
      '/ui/lib/.env.js',
      '/ui/lib/late.js',
      '/ui/LIB/api.js',
      '/ui/lib',
      '/ui/',
    ])
      assert.equal((await get(url)).statusCode, 404, url);
    await app.close();
  });

  it('the real UI folder has its entry points', () => {
    const files = loadUiFiles(UI_DIR);
    for (const name of ['index.html', 'main.js']) assert.ok(files.has(name), name);
  });
});
