/*
 * parseConninfo compared with psql (libpq) against a real PostgreSQL server: the same strings
 * reach the same user, database, address and port through psql and through HaConnection, and
 * the same malformed strings are refused with the same complaint.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { InputError } from '../errors/index.js';
import { HaConnection } from '../ha/connection.js';
import { parseConninfo } from './resolve.js';

const ENV = { USER: 'tester', HOME: '/home/tester' };

interface PsqlResult {
  code: number | null;
  out: string;
  err: string;
}

function psql(conninfo: string, sql: string, env: Record<string, string>): Promise<PsqlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-At', '-F', '|', '-d', conninfo, '-c', sql], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PGCONNECT_TIMEOUT: '5', ...env },
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

const PROBE =
  "select current_user, current_database(), host(inet_server_addr()), inet_server_port(), current_setting('application_name')";

describe('parseConninfo compared with psql (libpq)', () => {
  let pg: TestPostgres;
  let home: string;
  const A = '127.0.2.30';
  before(async () => {
    pg = await startPostgres({ address: A });
    await pg.psql(`
      create role alice login password 'al ice';
      create role "b@b" login password 'p@ss:w/rd';
      create database "db one" owner alice;
      create database pem owner alice;
    `);
    home = mkdtempSync(join(tmpdir(), 'pharos-home-'));
    const pass = join(home, '.pgpass');
    writeFileSync(pass, `${A}:5432:pem:alice:al ice\n`);
    chmodSync(pass, 0o600);
  });
  after(async () => {
    await pg?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  const accepted: { input: string; env?: Record<string, string> }[] = [
    { input: `host=${A} port=5432 dbname=postgres user=postgres password=postgres connect_timeout=10` },
    { input: `host = ${A}   user= alice password='al ice'\tdbname ='db one' application_name='a value'` },
    { input: `postgresql://alice:al%20ice@${A}/db%20one?application_name=myapp` },
    { input: `postgres://b%40b:p%40ss%3Aw%2Frd@${A}:5432/pem` },
    { input: `postgresql://${A}:1,${A}:5432/pem?user=alice&password=al%20ice` },
    { input: `host=${A},${A} port=1,5432 user=alice password='al ice' dbname=pem` },
    { input: `postgresql:///pem?host=${A}&port=5432&user=alice&password=al%20ice` },
    { input: `host=${A} dbname=pem`, env: { PGUSER: 'alice', PGPASSWORD: 'al ice', PGAPPNAME: 'fromenv' } },
    { input: `host=${A} user=alice`, env: { PGDATABASE: 'pem', PGPASSWORD: 'al ice' } },
    { input: `postgresql://alice@${A}/pem` }, // password from $HOME/.pgpass
    { input: `hostaddr=${A} host=db.invalid user=alice dbname=pem password='al ice'` },
    { input: '', env: { PGHOST: A, PGUSER: 'alice', PGDATABASE: 'db one', PGPASSWORD: 'al ice' } },
    { input: `postgresql://alice:al%20ice@${A}/pem?options=-c%20application_name%3Dviaoptions` },
    {
      input: `host=${A} user=alice password=al\\ ice dbname=pem sslmode=disable target_session_attrs=read-write`,
    },
  ];

  for (const c of accepted) {
    it(`agrees with psql on ${JSON.stringify(c.input)}${c.env ? ` with ${Object.keys(c.env).join(',')}` : ''}`, async () => {
      const env = { HOME: home, USER: 'nobody-here', ...c.env };
      const theirs = await psql(c.input, PROBE, env);
      assert.equal(theirs.code, 0, `psql failed: ${theirs.err}`);
      const ci = parseConninfo(c.input, env);
      const [user, db, addr, port] = theirs.out.split('|');
      assert.equal(ci.user, user);
      assert.equal(ci.dbname, db);
      assert.ok(
        ci.hosts.some((x) => (x.hostaddr ?? x.host) === addr && x.port === Number(port)),
        `${addr}:${port} not in ${JSON.stringify(ci.hosts)}`,
      );
      // And the same string through HaConnection gives psql's answer.
      const conn = new HaConnection({ conninfo: c.input, env });
      try {
        const r = await conn.query<Record<string, unknown>>(PROBE);
        const ours = Object.values(r.rows[0]!).map(String);
        const fields = theirs.out.split('|');
        // psql sets fallback_application_name=psql; compare the name only when the string sets one.
        if (fields[4] === 'psql') {
          fields.pop();
          ours.pop();
        }
        assert.deepEqual(ours, fields);
      } finally {
        await conn.close();
      }
    });
  }

  const rejected = [
    // (psql -d treats a string without "=" as a database name, so "host" alone is not compared here.)
    'nosuchkey=1',
    "host='abc",
    `host=${A} sslmode=bogus`,
    `host=${A} target_session_attrs=master`,
    `host=${A},${A},${A} port=1,2`,
    'host=a,b hostaddr=1.2.3.4',
    `host=${A} port=0`,
    `host=${A} port=65536`,
    `host=${A} connect_timeout=ten`,
    'postgresql://h/db?foo=bar',
    'postgresql://h/db?a',
    'postgresql://h/db?a=b=c',
    'postgresql://[::1',
    'postgresql://[]/',
    'postgresql://%zz@h/',
    'postgresql://h/%00',
    `host=${A} source_address=127.0.2.31`,
  ];
  for (const input of rejected) {
    it(`rejects ${JSON.stringify(input)} like psql`, async () => {
      const theirs = await psql(input, 'select 1', { HOME: home });
      assert.notEqual(theirs.code, 0);
      if (input.includes('source_address')) {
        // A Pharos extension: libpq rejects it, Pharos accepts it.
        assert.match(theirs.err, /invalid connection option "source_address"/);
        assert.equal(parseConninfo(input, ENV).sourceAddress, '127.0.2.31');
        return;
      }
      assert.throws(() => parseConninfo(input, ENV), InputError);
      // Same complaint: the first few words of libpq's message appear in ours.
      const ours = (() => {
        try {
          parseConninfo(input, ENV);
          return '';
        } catch (e) {
          return (e as Error).message;
        }
      })();
      const key = theirs.err
        .replace(/^psql: error: /, '')
        .replace(/^connection to server at [^:]+:? port \d+ failed: /, '')
        .split(/[:"]/)[0]!
        .trim();
      assert.ok(ours.startsWith(key), `libpq: ${theirs.err}\npharos: ${ours}`);
    });
  }
});
