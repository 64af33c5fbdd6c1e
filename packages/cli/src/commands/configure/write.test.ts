import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ConfigureOptions } from '@pharos/backend/configure/options';
import { passfileLine, writeAgentConfig, writeLocalWebConfig } from './write.js';

describe('configure: password files (security review M3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-write-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('scopes a line to one host:port and escapes : and \\', () => {
    assert.equal(
      passfileLine({ host: '10.0.0.5', port: 5433, user: 'pem_monitor', password: 'a:b\\c' }),
      '10.0.0.5:5433:*:pem_monitor:a\\:b\\\\c\n',
    );
    assert.equal(
      passfileLine({ host: '::1', port: 5432, dbname: 'pem', user: 'svc', password: 'p' }),
      '\\:\\:1:5432:pem:svc:p\n',
    );
  });

  it("writes the agent's passfile for the binding's host:port only, mode 0600", () => {
    writeAgentConfig(join(dir, 'agent.yml'), {
      agentId: 3,
      agentUser: 'agent3',
      backend: 'host=10.0.0.1 dbname=pem user=agent3 target_session_attrs=read-write',
      binding: { host: '127.0.0.1', port: 5432, user: 'pem_monitor', password: 'pw' },
    });
    const file = join(dir, 'agent.pgpass');
    assert.equal(readFileSync(file, 'utf8'), '127.0.0.1:5432:*:pem_monitor:pw\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it("writes the web service role's passfile for each backend host:port and database pem", () => {
    const o = { hosts: ['10.0.0.1', '10.0.0.2'], ports: [5432, 5433] } as ConfigureOptions;
    writeLocalWebConfig(join(dir, 'web.yml'), o, {
      serviceUser: 'pem_web_service',
      servicePassword: 'svc',
      port: 8443,
      certFile: join(dir, 'web.crt'),
      keyFile: join(dir, 'web.key'),
    });
    assert.equal(
      readFileSync(join(dir, 'web.pgpass'), 'utf8'),
      '10.0.0.1:5432:pem:pem_web_service:svc\n10.0.0.2:5433:pem:pem_web_service:svc\n',
    );
  });
});
