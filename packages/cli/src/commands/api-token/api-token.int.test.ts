/**
 * `pharos api-token create|list|revoke` against a real backend and web
 * instance (issue 18), and the CLI's PHAROS_API_TOKEN: a command run with
 * the token alone (no password in its environment) lists servers; the
 * token cannot make tokens; after `revoke` the same command exits 2 with
 * PHAROS_AUTH_TOKEN_REVOKED. Bad input exits 2 naming the flag.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PASSWORDS, startTestBackend, type TestBackend } from '@pharos/web/testing/backend-fixture';
import { startTestInstance, type TestInstance } from '@pharos/web/testing/web-instance';
import { type CliRun, runPharos } from '../../testing/configure.js';

const BACKEND = '127.0.4.85';
const WEB = '127.0.4.86';
const HARNESS = '127.0.4.87';

describe('pharos api-token and PHAROS_API_TOKEN', { timeout: 300_000 }, () => {
  let backend: TestBackend;
  let web: TestInstance;
  let dir: string;
  const base = () => ({
    PHAROS_URL: web.url,
    PHAROS_CA_FILE: backend.pki.caCert,
    PHAROS_HOST_ADDRESS: HARNESS,
    XDG_CACHE_HOME: join(dir, 'cache'),
  });
  const asBob = () => ({ ...base(), PHAROS_USER: 'bob', PHAROS_PASSWORD: PASSWORDS.bob });
  const ok = (r: CliRun) => assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-api-token-'));
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB, HARNESS],
      harnessAddress: HARNESS,
    });
    web = await startTestInstance(backend, WEB);
  });
  after(async () => {
    await web?.close();
    await backend?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('makes, lists and revokes a token that scripts use alone', async () => {
    const made = await runPharos(
      ['api-token', 'create', '--name', 'report script', '--valid-for', '7d', '--json'],
      asBob(),
    );
    ok(made);
    const t = JSON.parse(made.stdout) as { id: number; token: string; role: string; expiresAt: string };
    assert.equal(t.role, 'bob');
    const days = (Date.parse(t.expiresAt) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `valid for 7 days: ${t.expiresAt}`);

    const withToken = { ...base(), PHAROS_API_TOKEN: t.token };
    const servers = await runPharos(['server', 'list', '--json'], withToken);
    ok(servers);
    assert.deepEqual(
      (JSON.parse(servers.stdout) as { displayName: string }[]).map((s) => s.displayName).sort(),
      ['pem-backend-1', 'pem-backend-2'],
    );
    const child = await runPharos(['api-token', 'create', '--name', 'child'], withToken);
    assert.equal(child.code, 2, child.stderr);
    assert.match(child.stderr, /PHAROS_AUTH_SESSION_REQUIRED/);

    const listed = await runPharos(['api-token', 'list'], asBob());
    ok(listed);
    assert.match(
      listed.stdout,
      new RegExp(
        `^${t.id}  report script  \\(role bob, made .*\\): active until .*; last used .* from ${HARNESS.replaceAll('.', '\\.')}$`,
        'm',
      ),
    );
    assert.ok(!listed.stdout.includes(t.token));

    ok(await runPharos(['api-token', 'revoke', String(t.id)], asBob()));
    const refused = await runPharos(['server', 'list'], withToken);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /API token revoked \[PHAROS_AUTH_TOKEN_REVOKED\]/);
    const again = await runPharos(['api-token', 'revoke', String(t.id)], asBob());
    ok(again);
    assert.match(again.stdout, /already revoked/);
  });

  it("refuses bad input naming the flag, and other roles' tokens", async () => {
    const long = await runPharos(['api-token', 'create', '--name', 'x', '--valid-for', '400d'], asBob());
    assert.equal(long.code, 2);
    assert.match(long.stderr, /^pharos: --valid-for: .*366 days.* \[PHAROS_API_TOKEN_INVALID\]/);
    const alice = { ...base(), PHAROS_USER: 'alice', PHAROS_PASSWORD: PASSWORDS.alice };
    const made = await runPharos(['api-token', 'create', '--name', 'alice only', '--json'], alice);
    ok(made);
    const id = (JSON.parse(made.stdout) as { id: number }).id;
    const other = await runPharos(['api-token', 'revoke', String(id)], asBob());
    assert.equal(other.code, 2);
    assert.match(other.stderr, /PHAROS_API_TOKEN_NOT_FOUND/);
    const all = await runPharos(['api-token', 'list', '--all', '--json'], alice);
    ok(all);
    assert.ok((JSON.parse(all.stdout) as { id: number }[]).some((t) => t.id === id));
  });
});
