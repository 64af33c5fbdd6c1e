import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import {
  type ConnInfo,
  DEFAULT_SOCKET_DIR,
  formatConninfo,
  parseConninfo,
  passwordFromPassfile,
  redactConninfo,
} from './conninfo.js';
import { InputError } from './errors/index.js';
import { HaConnection } from './ha-connection.js';

const ENV = { USER: 'tester', HOME: '/home/tester' };

interface Row {
  input: string;
  env?: Record<string, string>;
  /** Fields expected in the result (deep-equal each). */
  expect?: Partial<ConnInfo>;
  /** Expected error text. */
  error?: RegExp;
  /** The example comes from the PostgreSQL docs §34.1.1. */
  doc?: boolean;
}

const h = (host: string, port = 5432, hostaddr?: string) =>
  hostaddr ? { host, hostaddr, port } : { host, port };

const TABLE: Row[] = [
  // --- PostgreSQL 15 docs §34.1.1.1 (keyword/value) ---
  {
    doc: true,
    input: 'host=localhost port=5432 dbname=mydb connect_timeout=10',
    expect: { hosts: [h('localhost')], dbname: 'mydb', user: 'tester', connectTimeoutSeconds: 10 },
  },
  { doc: true, input: "application_name = 'a value'", expect: { applicationName: 'a value' } },
  {
    doc: true,
    input: "password='it\\'s a \\\\ test'",
    expect: { password: "it's a \\ test" },
  },
  // --- PostgreSQL 15 docs §34.1.1.2 (URIs) ---
  {
    doc: true,
    input: 'postgresql://',
    expect: { hosts: [h(DEFAULT_SOCKET_DIR)], dbname: 'tester', user: 'tester', sslmode: 'prefer' },
  },
  { doc: true, input: 'postgresql://localhost', expect: { hosts: [h('localhost')] } },
  { doc: true, input: 'postgresql://localhost:5433', expect: { hosts: [h('localhost', 5433)] } },
  { doc: true, input: 'postgresql://localhost/mydb', expect: { hosts: [h('localhost')], dbname: 'mydb' } },
  { doc: true, input: 'postgresql://user@localhost', expect: { user: 'user', dbname: 'user' } },
  { doc: true, input: 'postgresql://user:secret@localhost', expect: { user: 'user', password: 'secret' } },
  {
    doc: true,
    input: 'postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp',
    expect: { user: 'other', dbname: 'otherdb', connectTimeoutSeconds: 10, applicationName: 'myapp' },
  },
  {
    doc: true,
    input: 'postgresql://host1:123,host2:456/somedb?target_session_attrs=any&application_name=myapp',
    expect: { hosts: [h('host1', 123), h('host2', 456)], dbname: 'somedb', targetSessionAttrs: 'any' },
  },
  {
    doc: true,
    input: 'postgresql:///mydb?host=localhost&port=5433',
    expect: { hosts: [h('localhost', 5433)], dbname: 'mydb' },
  },
  {
    doc: true,
    input: 'postgresql://user@localhost:5433/mydb?options=-c%20synchronous_commit%3Doff',
    expect: { options: '-c synchronous_commit=off', hosts: [h('localhost', 5433)] },
  },
  {
    doc: true,
    input: 'postgresql://[2001:db8::1234]/database',
    expect: { hosts: [h('2001:db8::1234')], dbname: 'database' },
  },
  {
    doc: true,
    input: 'postgresql:///dbname?host=/var/lib/postgresql',
    expect: { hosts: [h('/var/lib/postgresql')], dbname: 'dbname' },
  },
  {
    doc: true,
    input: 'postgresql://%2Fvar%2Flib%2Fpostgresql/dbname',
    expect: { hosts: [h('/var/lib/postgresql')], dbname: 'dbname' },
  },
  // --- §34.1.1.3 multiple hosts: the URI and keyword forms are equivalent ---
  {
    doc: true,
    input: 'postgresql://host1:5001,host2:5002,host3:5003/',
    expect: { hosts: [h('host1', 5001), h('host2', 5002), h('host3', 5003)], dbname: 'tester' },
  },
  {
    doc: true,
    input: 'host=host1,host2,host3 port=5001,5002,5003',
    expect: { hosts: [h('host1', 5001), h('host2', 5002), h('host3', 5003)] },
  },
  // --- keyword/value details ---
  {
    input: 'host = localhost   port= 5433\tdbname =db\n',
    expect: { hosts: [h('localhost', 5433)], dbname: 'db' },
  },
  { input: 'password=un\\ quoted user=u', expect: { password: 'un quoted', user: 'u' } },
  { input: "host=''", expect: { hosts: [h(DEFAULT_SOCKET_DIR)] } },
  { input: 'host=h1,h2,h3 port=6000', expect: { hosts: [h('h1', 6000), h('h2', 6000), h('h3', 6000)] } },
  { input: 'host=h1,h2 port=6000,', expect: { hosts: [h('h1', 6000), h('h2', 5432)] } },
  { input: 'host=h1,,h3', expect: { hosts: [h('h1'), h(DEFAULT_SOCKET_DIR), h('h3')] } },
  { input: "port=' 5433 '", expect: { hosts: [h(DEFAULT_SOCKET_DIR, 5433)] } },
  {
    input: 'host=db.example hostaddr=127.0.0.1',
    expect: { hosts: [h('db.example', 5432, '127.0.0.1')] },
  },
  { input: 'hostaddr=::1', expect: { hosts: [h('', 5432, '::1')] } },
  { input: 'user=alice', expect: { user: 'alice', dbname: 'alice' } },
  { input: 'host=a user=x user=y', expect: { user: 'y' } },
  { input: 'requiressl=1', expect: { sslmode: 'require' } },
  {
    input: 'keepalives=0 keepalives_idle=30 keepalives_interval=5 keepalives_count=3 tcp_user_timeout=9000',
    expect: {
      keepalives: false,
      keepalivesIdleSeconds: 30,
      keepalivesIntervalSeconds: 5,
      keepalivesCount: 3,
      tcpUserTimeoutMs: 9000,
    },
  },
  {
    input: 'sslmode=verify-full sslrootcert=/r.crt sslcert=/c.crt sslkey=/c.key sslcrl=/x.crl',
    expect: {
      sslmode: 'verify-full',
      sslrootcert: '/r.crt',
      sslcert: '/c.crt',
      sslkey: '/c.key',
      sslcrl: '/x.crl',
    },
  },
  { input: 'source_address=127.0.2.9', expect: { sourceAddress: '127.0.2.9' } },
  { input: 'target_session_attrs=prefer-standby', expect: { targetSessionAttrs: 'prefer-standby' } },
  // --- URI details ---
  {
    input: 'postgres://u:p%40ss@h:6543/d%20b?sslmode=require',
    expect: { user: 'u', password: 'p@ss', hosts: [h('h', 6543)], dbname: 'd b', sslmode: 'require' },
  },
  { input: 'postgresql://h/db?ssl=true', expect: { sslmode: 'require' } },
  { input: 'postgresql://[::1]:5433,[::2]/db', expect: { hosts: [h('::1', 5433), h('::2')] } },
  { input: 'postgresql://h1:5433,h2/db', expect: { hosts: [h('h1', 5433), h('h2')] } },
  { input: 'postgresql://h/db?host=/tmp&port=5433', expect: { hosts: [h('/tmp', 5433)] } },
  { input: 'postgresql://%E2%82%AC@h/', expect: { user: '€' } },
  { input: 'postgresql://h/db?application_name=a+b', expect: { applicationName: 'a+b' } },
  // --- environment variables (§34.15) ---
  {
    input: '',
    env: {
      PGHOST: 'envhost',
      PGPORT: '6000',
      PGDATABASE: 'envdb',
      PGUSER: 'envuser',
      PGPASSWORD: 'envpw',
      PGSSLMODE: 'require',
      PGTARGETSESSIONATTRS: 'read-write',
      PGAPPNAME: 'envapp',
      PGCONNECT_TIMEOUT: '7',
      PGPASSFILE: '/etc/pw',
      PGSSLROOTCERT: '/ca.crt',
      PGSSLCERT: '/c.crt',
      PGSSLKEY: '/c.key',
      PGSSLCRL: '/c.crl',
      PGOPTIONS: '-c work_mem=8MB',
    },
    expect: {
      hosts: [h('envhost', 6000)],
      dbname: 'envdb',
      user: 'envuser',
      password: 'envpw',
      sslmode: 'require',
      targetSessionAttrs: 'read-write',
      applicationName: 'envapp',
      connectTimeoutSeconds: 7,
      passfile: '/etc/pw',
      sslrootcert: '/ca.crt',
      sslcert: '/c.crt',
      sslkey: '/c.key',
      sslcrl: '/c.crl',
      options: '-c work_mem=8MB',
    },
  },
  {
    input: 'host=strhost user=struser',
    env: { PGHOST: 'envhost', PGPORT: '6000', PGUSER: 'envuser' },
    expect: { hosts: [h('strhost', 6000)], user: 'struser' },
  },
  { input: 'dbname=', env: { PGDATABASE: 'envdb' }, expect: { dbname: 'tester' } },
  { input: 'postgresql://h/', env: { PGDATABASE: 'envdb' }, expect: { dbname: 'envdb' } },
  { input: 'postgresql://h', env: { PGUSER: '' }, expect: { user: 'tester' } },
  {
    input: '',
    env: { USER: '' },
    expect: { user: 'postgres', dbname: 'postgres', passfile: '/home/tester/.pgpass' },
  },
  // --- errors ---
  { input: 'host=h1,h2,h3 port=1,2', error: /could not match 2 port numbers to 3 hosts.*port="1,2"/ },
  { input: 'host=a,b hostaddr=1.2.3.4', error: /could not match 2 host names to 1 hostaddr values/ },
  { input: 'hostaddr=db.example', error: /could not parse network address "db.example".*hostaddr/ },
  { input: 'port=0', error: /invalid port number: "0".*"port"/ },
  { input: 'port=65536', error: /invalid port number: "65536"/ },
  { input: 'port=abc', error: /invalid port number: "abc"/ },
  { input: 'postgresql://h:54x2/db', error: /invalid port number: "54x2"/ },
  { input: 'sslmode=bogus', error: /invalid sslmode value: "bogus"/ },
  { input: 'target_session_attrs=master', error: /invalid target_session_attrs value: "master"/ },
  {
    input: 'connect_timeout=ten',
    error: /invalid integer value "ten" for connection option "connect_timeout"/,
  },
  { input: 'keepalives=yes', error: /invalid integer value "yes" for connection option "keepalives"/ },
  { input: 'gssencmode=x', error: /invalid gssencmode value: "x"/ },
  { input: 'nosuchkey=1', error: /invalid connection option "nosuchkey"/ },
  { input: 'source_address=notanip', error: /invalid source_address value: "notanip"/ },
  { input: 'service=foo', error: /connection option "service" is not supported/ },
  { input: 'sslpassword=x', error: /"sslpassword" is not supported/ },
  { input: '', env: { PGSERVICE: 'x' }, error: /PGSERVICE is set/ },
  { input: 'host', error: /missing "=" after "host" in connection info string/ },
  { input: 'host localhost', error: /missing "=" after "host"/ },
  { input: "host='abc", error: /unterminated quoted string in connection info string/ },
  { input: 'abc', error: /missing "=" after "abc"/ },
  { input: 'postgresql://h/db?foo=bar', error: /invalid URI query parameter: "foo"/ },
  { input: 'postgresql://h/db?a', error: /missing key\/value separator "=" in URI query parameter: "a"/ },
  { input: 'postgresql://h/db?a=b=c', error: /extra key\/value separator "=" in URI query parameter: "a"/ },
  { input: 'postgresql://[::1', error: /end of string reached when looking for matching "\]"/ },
  { input: 'postgresql://[]/', error: /IPv6 host address may not be empty/ },
  { input: 'postgresql://[::1]x/', error: /unexpected character "x" at position 19 in URI/ },
  { input: 'postgresql://%zz@h/', error: /invalid percent-encoded token: "%zz"/ },
  { input: 'postgresql://h/%00', error: /forbidden value %00 in percent-encoded value/ },
  { input: 'postgresql://h/db?source_address=1.2.3.4.5', error: /invalid source_address value/ },
];

describe('parseConninfo: table', () => {
  it('has at least 40 strings, including the documentation examples', () => {
    assert.ok(TABLE.length >= 40, `only ${TABLE.length}`);
    assert.ok(TABLE.filter((r) => r.doc).length >= 17);
  });
  for (const row of TABLE) {
    it(`${row.error ? 'rejects' : 'parses'} ${JSON.stringify(row.input)}${row.env ? ` with ${Object.keys(row.env).join(',')}` : ''}`, () => {
      const env = { ...ENV, ...row.env };
      if (row.error) {
        assert.throws(
          () => parseConninfo(row.input, env),
          (e: unknown) => e instanceof InputError && row.error!.test(e.message),
        );
        return;
      }
      const ci = parseConninfo(row.input, env);
      for (const [k, v] of Object.entries(row.expect ?? {})) {
        assert.deepEqual(ci[k as keyof ConnInfo], v, `field ${k}`);
      }
      // Round trip: format then parse gives the same value.
      assert.deepEqual(parseConninfo(formatConninfo(ci), env), ci);
    });
  }
});

describe('parseConninfo: defaults and formatting', () => {
  it('applies libpq defaults', () => {
    const ci = parseConninfo('', { USER: 'u', HOME: '/h' });
    assert.deepEqual(ci, {
      hosts: [{ host: DEFAULT_SOCKET_DIR, port: 5432 }],
      dbname: 'u',
      user: 'u',
      passfile: '/h/.pgpass',
      sslmode: 'prefer',
      sslsni: true,
      targetSessionAttrs: 'any',
      keepalives: true,
    });
  });

  it('formats with quoting that survives spaces, quotes and backslashes', () => {
    const ci = parseConninfo("password='a b\\'c\\\\d' application_name='' options='-c x=1'", ENV);
    const text = formatConninfo(ci);
    assert.match(text, /password='a b\\'c\\\\d'/);
    assert.deepEqual(parseConninfo(text, ENV), ci);
  });

  it('redacts the password', () => {
    const ci = parseConninfo('host=h password=topsecret', ENV);
    assert.doesNotMatch(redactConninfo(ci), /topsecret/);
    assert.match(redactConninfo(ci), /password=\*{8}/);
  });
});

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

// ---------------------------------------------------------------------------
// Compared with psql (libpq) against a real server.

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
