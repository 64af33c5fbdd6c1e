import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateTopology } from '../topology/validate.js';
import { configureCommandLine } from './configure.js';
import { firewallCommands } from './firewall.js';
import { patroniUsersSql, sqlLiteral } from './patroni-users.js';
import { REFERENCE_SECRETS, REFERENCE_USERS_SQL, seedTopology } from './reference.fixture.js';

const topo = seedTopology();
const cert = (n: number) => ['--use-agent-sslcert', `/etc/pharos/certs/agent${n}.crt`];
const key = (n: number) => ['--use-agent-sslkey', `/etc/pharos/certs/agent${n}.key`];

/** The reference's "own certificate" backend line, with its documented corrections passed in. */
function backendArgv(hosts: string, role: string, n: number): string[] {
  return [
    'pharos',
    'configure',
    '-t',
    '3',
    '-ho',
    hosts,
    '-p',
    '5432',
    '-su',
    'pemsuper',
    '--asb-host-name',
    '127.0.0.1',
    '--replication-solution',
    'patroni',
    '--replication-role',
    role,
    '--db-unitfile',
    'patroni',
    '--db-install-path',
    '/usr/pgsql-17/',
    '--skip-db-certificate',
    ...cert(n),
    ...key(n),
    '-aro',
    `agent_id=${n}`,
  ];
}

describe('configure command lines (reference, with docs/reference/pem-facts.md §8 corrections)', () => {
  test('primary: the reference line with agent_id=1', () => {
    assert.deepEqual(
      configureCommandLine(topo, 'pem-backend-1').argv,
      backendArgv('127.0.0.1,172.16.161.201,172.16.161.202', 'primary', 1),
    );
  });

  test('standby 1: its own address as 127.0.0.1, agent_id=2, --skip-db-certificate (items 3, 4, 7)', () => {
    assert.deepEqual(
      configureCommandLine(topo, 'pem-backend-2').argv,
      backendArgv('172.16.161.200,127.0.0.1,172.16.161.202', 'standby', 2),
    );
  });

  test('standby 2: 127.0.0.1 in ITS position and agent_id=3 (items 3, 4)', () => {
    assert.deepEqual(
      configureCommandLine(topo, 'pem-backend-3').argv,
      backendArgv('172.16.161.200,172.16.161.201,127.0.0.1', 'standby', 3),
    );
  });

  test('web apps: every backend, agent ids 4, 5, 6 (item 4)', () => {
    for (const [name, n] of [
      ['pem-web-1', 4],
      ['pem-web-2', 5],
      ['pem-web-3', 6],
    ] as const) {
      assert.deepEqual(configureCommandLine(topo, name).argv, [
        'pharos',
        'configure',
        '-t',
        '2',
        '-ho',
        '172.16.161.200,172.16.161.201,172.16.161.202',
        '-p',
        '5432',
        '-su',
        'pemsuper',
        '--db-install-path',
        '/usr/pgsql-17/',
        ...cert(n),
        ...key(n),
        '-aro',
        `agent_id=${n}`,
        '--web-cert',
        '/etc/pharos/certs/web.crt',
        '--web-key',
        '/etc/pharos/certs/web.key',
      ]);
    }
  });

  test('common agent user: --use-agent-user and its certificate, no agent id', () => {
    const t = validateTopology({ ...structuredClone(topo), agent_certificates: 'common-user' }, 'x');
    const argv = configureCommandLine(t, 'pem-backend-2').argv;
    assert.deepEqual(argv.slice(-6), [
      '--use-agent-user',
      'common_agent_user',
      '--use-agent-sslcert',
      '/etc/pharos/certs/common_agent_user.crt',
      '--use-agent-sslkey',
      '/etc/pharos/certs/common_agent_user.key',
    ]);
  });

  test('built-in CA: --use-existing-sslutils on backends, no agent certificate', () => {
    const t = validateTopology({ ...structuredClone(topo), agent_certificates: 'built-in-ca' }, 'x');
    assert.deepEqual(configureCommandLine(t, 'pem-backend-1').argv.slice(-2), [
      '--skip-db-certificate',
      '--use-existing-sslutils',
    ]);
    assert.deepEqual(configureCommandLine(t, 'pem-web-1').argv.slice(-6, -4), [
      '--db-install-path',
      '/usr/pgsql-17/',
    ]);
  });

  test('the script form quotes like the reference', () => {
    const s = configureCommandLine(topo, 'pem-backend-1').script;
    assert.match(
      s,
      /^pharos configure \\\n {2}-t 3 \\\n {2}-ho '127\.0\.0\.1,172\.16\.161\.201,172\.16\.161\.202' \\\n/,
    );
    assert.match(s, /--db-install-path '\/usr\/pgsql-17\/' \\\n/);
    assert.match(s, / {2}-aro agent_id=1\n$/);
  });

  test('in the lab: certificates in the host dir, install path from the site', () => {
    const site = {
      hostDir: (h: string) => `/lab/${h}`,
      binDir: '/usr/lib/postgresql/15/bin',
      caFile: '/lab/pki/ca.crt',
    };
    const argv = configureCommandLine(topo, 'pem-web-1', {
      site,
      command: ['node', 'pharos.js', 'configure'],
    }).argv;
    assert.deepEqual(argv.slice(0, 3), ['node', 'pharos.js', 'configure']);
    assert.ok(argv.includes('/usr/lib/postgresql/15/'));
    assert.ok(argv.includes('/lab/pem-web-1/agent4.crt'));
  });

  test('etcd members have no configure step', () => {
    assert.throws(() => configureCommandLine(topo, 'etcd-node-1'), {
      name: 'InputError',
      message: "'etcd-node-1' is neither a backend nor a web application; it has no configure step",
    });
  });
});

describe('configure command lines, secured (the default): Pharos flags after the reference line', () => {
  const secured = seedTopology('secured');
  test('backends: --patroni-rest-ca (the agent reads Patroni over https)', () => {
    assert.deepEqual(configureCommandLine(secured, 'pem-backend-2').argv, [
      ...backendArgv('172.16.161.200,127.0.0.1,172.16.161.202', 'standby', 2),
      '--patroni-rest-ca',
      '/etc/pharos/certs/root.crt',
    ]);
  });
  test('web apps: also the etcd members and the web etcd client certificate', () => {
    assert.deepEqual(configureCommandLine(secured, 'pem-web-3').argv.slice(-8), [
      '--patroni-rest-ca',
      '/etc/pharos/certs/root.crt',
      '--etcd-endpoints',
      'https://172.16.161.111:2379,https://172.16.161.112:2379,https://172.16.161.113:2379',
      '--etcd-cert',
      '/etc/pharos/certs/etcd-client.crt',
      '--etcd-key',
      '/etc/pharos/certs/etcd-client.key',
    ]);
  });
  test('in the lab: the lab CA', () => {
    const site = {
      hostDir: (h: string) => `/lab/${h}`,
      binDir: '/usr/lib/postgresql/15/bin',
      caFile: '/lab/pki/ca.crt',
    };
    const argv = configureCommandLine(secured, 'pem-web-1', { site }).argv;
    assert.equal(argv[argv.indexOf('--patroni-rest-ca') + 1], '/lab/pki/ca.crt');
    assert.equal(argv[argv.indexOf('--etcd-cert') + 1], '/lab/pem-web-1/etcd-client.crt');
  });
});

describe('firewall commands, secured (the default): rich rules per source host', () => {
  const secured = seedTopology('secured');
  const rich = (a: string, p: number) =>
    `firewall-cmd --zone=public --add-rich-rule='rule family="ipv4" source address="${a}" port port="${p}" protocol="tcp" accept' --permanent`;
  const add = (p: number) => `firewall-cmd --zone=public --add-port=${p}/tcp --permanent`;
  test('etcd: 2380 from the other members; 2379 from backends, web applications and the other members', () => {
    assert.deepEqual(firewallCommands(secured, 'etcd-node-2'), [
      rich('172.16.161.111', 2380),
      rich('172.16.161.113', 2380),
      ...['200', '201', '202', '211', '212', '213', '111', '113'].map((x) => rich(`172.16.161.${x}`, 2379)),
      'firewall-cmd --reload',
    ]);
  });
  test('backends: 5432 to the zone, Patroni 8008 from the other backends and the web applications', () => {
    assert.deepEqual(firewallCommands(secured, 'pem-backend-1'), [
      add(5432),
      ...['201', '202', '211', '212', '213'].map((x) => rich(`172.16.161.${x}`, 8008)),
      'firewall-cmd --reload',
    ]);
  });
  test('web apps: 8443 to the zone', () => {
    assert.deepEqual(firewallCommands(secured, 'pem-web-1'), [add(8443), 'firewall-cmd --reload']);
  });
  test('an IPv6 source gets family ipv6; an etcd member on a backend host merges both roles', () => {
    const t = validateTopology(
      {
        ...structuredClone(secured),
        etcd: [
          { name: 'pem-backend-1', address: '172.16.161.200' },
          { name: 'etcd-node-2', address: 'fd00::12' },
          { name: 'etcd-node-3', address: '172.16.161.113' },
        ],
      },
      'x',
    );
    const lines = firewallCommands(t, 'pem-backend-1');
    assert.ok(
      lines.includes(
        `firewall-cmd --zone=public --add-rich-rule='rule family="ipv6" source address="fd00::12" port port="2380" protocol="tcp" accept' --permanent`,
      ),
    );
    assert.ok(lines.includes(rich('172.16.161.201', 8008)));
    assert.ok(lines.includes(rich('172.16.161.201', 2379)));
    assert.ok(!lines.some((l) => l.includes('source address="172.16.161.200"')), 'never its own address');
  });
});

describe('firewall commands', () => {
  const add = (p: number) => `firewall-cmd --zone=public --add-port=${p}/tcp --permanent`;
  test("etcd: the reference's 2380 and 2379", () => {
    assert.deepEqual(firewallCommands(topo, 'etcd-node-1'), [add(2380), add(2379), 'firewall-cmd --reload']);
  });
  test('backends: 5432 and Patroni 8008 (item 6)', () => {
    assert.deepEqual(firewallCommands(topo, 'pem-backend-3'), [
      add(5432),
      add(8008),
      'firewall-cmd --reload',
    ]);
  });
  test('web apps: 8443', () => {
    assert.deepEqual(firewallCommands(topo, 'pem-web-2'), [add(8443), 'firewall-cmd --reload']);
  });
});

describe('Patroni users SQL', () => {
  test("the reference's statements, in order", () => {
    const statements = patroniUsersSql(REFERENCE_SECRETS)
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('--'));
    assert.deepEqual(statements, REFERENCE_USERS_SQL);
  });

  test('passwords are quoted literals', () => {
    assert.equal(sqlLiteral("it's"), "'it''s'");
    assert.match(patroniUsersSql({ superuser: "a'b", replication: 'r', rewind: 'w' }), /PASSWORD 'a''b';/);
    assert.throws(() => sqlLiteral('a\0b'), { name: 'InputError' });
  });
});
