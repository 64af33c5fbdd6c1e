import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { preparationText, prepareServer } from './prepare.js';

const agent = { id: 7, displayName: 'pg-host-1', hostAddress: '10.0.3.20' };
const base = {
  host: '10.0.3.15',
  port: 5432,
  user: 'pem_monitor',
  maintenanceDb: 'postgres',
  sslmode: 'verify-full',
  sslrootcert: null,
  agent,
};

describe('server prepare', () => {
  it('states the role, the HBA rule from the agent’s address, a host:port passfile line and TLS', () => {
    const p = prepareServer(base);
    assert.deepEqual(p.roleSql[0], "CREATE ROLE pem_monitor LOGIN PASSWORD '<password>' IN ROLE pg_monitor;");
    assert.equal(p.hbaRule, 'hostssl all pem_monitor 10.0.3.20/32 scram-sha-256');
    assert.equal(p.passfileLine, '10.0.3.15:5432:*:pem_monitor:<password>');
    assert.match(p.tlsNote, /signed by the CA in the agent's server_sslrootcert .* and name 10\.0\.3\.15/);
    assert.equal(
      p.testCommand,
      'pharos server test --agent 7 --host 10.0.3.15 --port 5432 --user pem_monitor',
    );
    assert.equal(preparationText(p).length, 12);
  });

  it('reaches a server on the agent’s own host from loopback, and a socket directory with local', () => {
    assert.equal(
      prepareServer({ ...base, host: '127.0.0.1' }).hbaRule,
      'hostssl all pem_monitor 127.0.0.1/32 scram-sha-256',
    );
    assert.equal(
      prepareServer({ ...base, host: '::1' }).hbaRule,
      'hostssl all pem_monitor ::1/128 scram-sha-256',
    );
    assert.equal(
      prepareServer({ ...base, host: '/var/run/postgresql' }).hbaRule,
      'local all pem_monitor scram-sha-256',
    );
  });

  it('quotes a role that needs it, escapes the passfile line, says when the agent’s address is unknown', () => {
    const p = prepareServer({
      ...base,
      user: 'Mon:itor',
      agent: { ...agent, hostAddress: null },
      host: 'fe80::1',
      sslmode: 'require',
    });
    assert.match(p.roleSql[0]!, /^CREATE ROLE "Mon:itor" LOGIN/);
    assert.equal(p.passfileLine, 'fe80\\:\\:1:5432:*:Mon\\:itor:<password>');
    assert.equal(p.hbaRule, 'hostssl all "Mon:itor" <agent address>/32 scram-sha-256');
    assert.match(p.hbaNote, /the address of agent 7 \(pg-host-1\) is not recorded/);
    assert.match(p.tlsNote, /sslmode=require: the agent does not verify the server's certificate/);
  });
});
