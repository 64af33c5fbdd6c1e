/* The password file (§34.16): matching, escapes, and files ignored for their mode. */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { passwordFromPassfile } from './pgpass.js';
import { DEFAULT_SOCKET_DIR } from './types.js';

describe('passwordFromPassfile', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-pgpass-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string, mode: number) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    chmodSync(p, mode);
    return p;
  };

  it('matches fields, wildcards and escapes; first match wins', () => {
    const p = write(
      'a',
      [
        '# comment',
        'other:5432:*:*:nope',
        'db\\:host:5432:pem:agent1:p\\:w\\\\1',
        '*:6000:*:bob:bobpw',
        'localhost:5432:*:*:local',
        '*:*:*:*:fallback',
      ].join('\n'),
      0o600,
    );
    const look = (host: string, port: number, dbname: string, user: string) =>
      passwordFromPassfile(p, { host, port, dbname, user });
    assert.equal(look('db:host', 5432, 'pem', 'agent1'), 'p:w\\1');
    assert.equal(look('anything', 6000, 'x', 'bob'), 'bobpw');
    assert.equal(look('', 5432, 'x', 'y'), 'local');
    assert.equal(look(DEFAULT_SOCKET_DIR, 5432, 'x', 'y'), 'local');
    assert.equal(look('zzz', 1, 'x', 'y'), 'fallback');
  });

  it('ignores a file readable by group or others, with a warning', () => {
    const p = write('b', '*:*:*:*:pw\n', 0o644);
    const warnings: string[] = [];
    assert.equal(
      passwordFromPassfile(p, { host: 'h', port: 5432, dbname: 'd', user: 'u' }, (m) => warnings.push(m)),
      undefined,
    );
    assert.match(warnings[0] ?? '', /has group or world access; permissions should be u=rw \(0600\) or less/);
  });

  it('returns undefined for a missing file', () => {
    assert.equal(
      passwordFromPassfile(join(dir, 'none'), { host: 'h', port: 1, dbname: 'd', user: 'u' }),
      undefined,
    );
  });
});
