/*
 * libpq connection strings without a server: the parse table, defaults, and formatting back.
 * The password file: pgpass.test.ts. Compared with psql against a real server: resolve.int.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../errors/index.js';
import { formatConninfo, redactConninfo } from './format.js';
import { parseConninfo } from './resolve.js';
import { type ConnInfo, DEFAULT_SOCKET_DIR } from './types.js';

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
