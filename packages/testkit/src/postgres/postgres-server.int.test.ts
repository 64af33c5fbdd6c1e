import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../wait/wait-for.js';
import { startPostgres, startStandby, type TestPostgres } from './postgres-server.js';

/** True when `pid` exists and is not a zombie (an orphan may wait a while to be reaped). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** Runs psql over TCP with a conninfo, as a client would. */
function psqlTcp(conninfo: string, sql: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-At', '-d', conninfo, '-c', sql], {
      env: { PATH: process.env.PATH, PGCONNECT_TIMEOUT: '5' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out: out.trim(), err: err.trim() }));
  });
}

describe('startPostgres / startStandby', () => {
  let primary: TestPostgres;
  let standby: TestPostgres;
  before(async () => {
    primary = await startPostgres({ address: '127.0.2.1', superuserPassword: 'sekret pw' });
    standby = await startStandby(primary, { address: '127.0.2.2' });
  });
  after(async () => {
    await standby?.stop();
    await primary?.stop();
  });

  it('runs SQL through the socket with psql()', async () => {
    assert.equal(await primary.psql('select 1+1'), '2');
    assert.equal(await primary.psql("select 'a'; select 'b'"), 'a\nb');
    await assert.rejects(primary.psql('select * from no_such_table'), /no_such_table/);
  });

  it('listens on its one address over TCP with scram for the superuser', async () => {
    const r = await psqlTcp(
      primary.conninfo(),
      'select inet_server_addr(), inet_server_port(), current_user',
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `127.0.2.1|${primary.port}|postgres`);
    const wrong = await psqlTcp('host=127.0.2.1 user=postgres password=wrong dbname=postgres', 'select 1');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.err, /password authentication failed/);
    assert.equal(await primary.psql('show password_encryption'), 'scram-sha-256');
  });

  it('conninfo() quotes values and adds the password only for postgres', () => {
    assert.equal(
      primary.conninfo(),
      `host=127.0.2.1 port=${primary.port} user=postgres dbname=postgres password='sekret pw'`,
    );
    assert.equal(
      primary.conninfo('alice', 'pem'),
      `host=127.0.2.1 port=${primary.port} user=alice dbname=pem`,
    );
  });

  it('makes a streaming standby that is in recovery and replicates', async () => {
    assert.equal(await standby.psql('select pg_is_in_recovery()'), 't');
    assert.equal(await primary.psql('select pg_is_in_recovery()'), 'f');
    assert.equal(await standby.psql('show default_transaction_read_only'), 'off');
    await primary.psql('create table rep_check (x int); insert into rep_check values (42)');
    const seen = await waitFor('the standby to replay the row', async () => {
      const x = await standby.psql('select coalesce((select x from rep_check), 0)');
      return x === '42' && x;
    });
    assert.equal(seen, '42');
    const r = await psqlTcp(standby.conninfo(), 'select inet_server_addr()');
    assert.equal(r.out, '127.0.2.2');
  });

  it('stop() stops its server and removes its temporary directory', async () => {
    const s = await startPostgres({ address: '127.0.2.3' });
    assert.ok(existsSync(s.dataDir));
    assert.equal(running(s.pid), true);
    await s.stop();
    assert.equal(running(s.pid), false);
    const r = await psqlTcp(s.conninfo(), 'select 1');
    assert.notEqual(r.code, 0);
    assert.equal(existsSync(s.dataDir), false);
  });
});
