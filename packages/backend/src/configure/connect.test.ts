import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import { agentBackendConninfo, superuserConninfo } from './connect.js';

describe('the agent backend connection string', () => {
  it('lists every backend, read-write, verify-full and the TLS files', () => {
    const s = agentBackendConninfo({
      hosts: ['10.0.0.1', '10.0.0.2'],
      ports: [5432, 5433],
      user: 'agent3',
      sslrootcert: '/etc/pharos/root crt',
      sslcert: '/etc/pharos/agent3.crt',
      sslkey: '/etc/pharos/agent3.key',
    });
    assert.equal(
      s,
      "host=10.0.0.1,10.0.0.2 port=5432,5433 dbname=pem user=agent3 target_session_attrs=read-write connect_timeout=5 sslmode=verify-full sslrootcert='/etc/pharos/root crt' sslcert=/etc/pharos/agent3.crt sslkey=/etc/pharos/agent3.key",
    );
    assert.equal(parseConninfo(s, {}).sslrootcert, '/etc/pharos/root crt');
  });

  it('dials the local name at the host address (lab), keeping the name for TLS', () => {
    const s = agentBackendConninfo({
      hosts: ['127.0.8.200', '127.0.0.1'],
      ports: [5432, 5432],
      user: 'agent2',
      hostAddress: '127.0.8.201',
    });
    const ci = parseConninfo(s, {});
    assert.deepEqual(ci.hosts, [
      { host: '127.0.8.200', port: 5432 },
      { host: '127.0.0.1', hostaddr: '127.0.8.201', port: 5432 },
    ]);
  });
});

describe('the superuser connection string', () => {
  it('keeps a flag value with spaces and key=value pairs one value (-su/-ho injection, security review L9)', () => {
    const s = superuserConninfo(
      {
        hosts: ['10.0.0.1'],
        ports: [5432],
        superuser: "x host=203.0.113.9 dbname='evil'",
        superpassword: 'p',
      },
      ['10.0.0.1'],
      [5432],
      'pem',
      'read-write',
    );
    const ci = parseConninfo(s, {});
    assert.equal(ci.user, "x host=203.0.113.9 dbname='evil'");
    assert.equal(ci.dbname, 'pem');
    assert.deepEqual(
      ci.hosts.map((h) => h.host),
      ['10.0.0.1'],
    );
  });
});
