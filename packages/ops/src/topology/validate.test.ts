import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { InputError } from '@pharos/core/errors';
import { loadTopology, MAX_TOPOLOGY_BYTES, parseTopologyYaml } from './load.js';
import { topologyProblems, validateTopology } from './validate.js';

const EXAMPLES = new URL('../../../../examples/', import.meta.url).pathname;
const SEED = join(EXAMPLES, 'seed-sm.topology.yml');
const LAB = join(EXAMPLES, 'lab-sm.topology.yml');

// biome-ignore lint/suspicious/noExplicitAny: test data is parsed YAML, edited freely
type Data = Record<string, any>;
const seed = (): Data => parseTopologyYaml(readFileSync(SEED, 'utf8'), SEED) as Data;

/** The problems of the seed topology after `edit`. */
function problemsAfter(edit: (d: Data) => void): string[] {
  const d = seed();
  edit(d);
  return topologyProblems(d);
}

describe('example topologies', () => {
  test('the seed (reference) topology is accepted as it is, defaults filled in', () => {
    const t = loadTopology(SEED);
    assert.equal(t.architecture, 'SM');
    assert.equal(t.cluster, 'pem');
    assert.deepEqual(t.postgres, {
      version: 17,
      bin_dir: '/usr/pgsql-17/bin',
      data_dir: '/var/lib/pgsql/17/data',
      port: 5432,
    });
    assert.deepEqual(
      t.backends.map((b) => b.address),
      ['172.16.161.200', '172.16.161.201', '172.16.161.202'],
    );
    assert.deepEqual(t.patroni, {
      ttl: 30,
      loop_wait: 10,
      retry_timeout: 10,
      maximum_lag_on_failover: 1048576,
      failsafe_mode: false,
      rest_port: 8008,
    });
    assert.deepEqual(t.pem, { superuser: 'pemsuper', web_port: 8443 });
    assert.equal(t.agent_certificates, 'per-agent');
    assert.equal(t.common_agent_user, 'common_agent_user');
    assert.equal(t.crl, false);
    assert.equal(t.infrastructure_security, 'secured');
    assert.deepEqual(t.monitored_networks, ['0.0.0.0/0']);
  });

  test('the lab topology is accepted as it is', () => {
    const t = loadTopology(LAB, 'lab');
    assert.equal(t.postgres.version, 15);
    assert.equal(t.postgres.data_dir, 'data');
    assert.equal(t.etcd[2]?.address, '127.0.1.113');
  });

  test('bin_dir and data_dir default to the PGDG paths of the major', () => {
    const d = seed();
    delete d.postgres.bin_dir;
    delete d.postgres.data_dir;
    d.postgres.version = 16;
    const t = validateTopology(d, 'x');
    assert.equal(t.postgres.bin_dir, '/usr/pgsql-16/bin');
    assert.equal(t.postgres.data_dir, '/var/lib/pgsql/16/data');
  });

  test('an etcd member may share a backend host (same name, same address)', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.etcd[0] = { name: 'pem-backend-1', address: '172.16.161.200' };
      }),
      [],
    );
  });
});

describe('validation errors (one test per rule, exact messages)', () => {
  test('invalid address', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.etcd[0].address = '300.1.1.1';
      }),
      ["etcd[0].address: '300.1.1.1' is not an IP address"],
    );
  });

  test('an address that is not a host address', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.webapps[2].address = '0.0.0.0';
      }),
      ["webapps[2].address: '0.0.0.0' is not a host address"],
    );
  });

  test('duplicate address in one role', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.backends[1].address = '172.16.161.200';
      }),
      ["backends[1].address: duplicate address '172.16.161.200' (also backends[0].address)"],
    );
  });

  test('one address under two names in two roles', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.etcd[0].address = '172.16.161.200';
      }),
      [
        "backends[0].address: '172.16.161.200' is also etcd[0].address under another name ('etcd-node-1'); one address, one host name",
      ],
    );
  });

  test('invalid host name', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.etcd[1].name = 'etcd node 2';
      }),
      [
        "etcd[1].name: 'etcd node 2' is not a valid host name (letters, digits and '-', 1-63 characters, not starting or ending with '-')",
      ],
    );
  });

  test('reserved host name ca', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.webapps[0].name = 'ca';
      }),
      ["webapps[0].name: 'ca' is reserved (the plan writes the CA to DIR/ca/)"],
    );
  });

  test('duplicate name in one role', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.webapps[1].name = 'pem-web-1';
      }),
      ["webapps[1].name: duplicate name 'pem-web-1' (also webapps[0].name)"],
    );
  });

  test('one name with two addresses in two roles', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.etcd[0].name = 'pem-backend-1';
      }),
      [
        "backends[0].name: 'pem-backend-1' is also etcd[0].name with another address ('172.16.161.111'); one host name, one address",
      ],
    );
  });

  test('an even etcd member count', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.etcd.push({ name: 'etcd-node-4', address: '172.16.161.114' });
      }),
      ['etcd: 4 members; etcd needs an odd number of members, at least 3'],
    );
  });

  test('fewer than 3 etcd members', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.etcd = d.etcd.slice(0, 1);
      }),
      ['etcd: 1 member; etcd needs an odd number of members, at least 3'],
    );
  });

  test('fewer than 2 backends', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.backends = d.backends.slice(0, 1);
      }),
      ['backends: 1 backend; at least 2 are needed (a primary and a standby)'],
    );
  });

  test('a web application on a backend address in SM', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.webapps[0].address = '172.16.161.200';
      }),
      [
        "webapps[0].address: '172.16.161.200' is the address of backends[0]; in SM the web applications run on hosts of their own",
      ],
    );
  });

  test('invalid CIDRs', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.monitored_networks = ['10.0.0.0/33', 'nonsense', '10.0.0.1/8', '2001:db8::1/32', '2001:db8::/32'];
      }),
      [
        "monitored_networks[0]: '10.0.0.0/33' is not a CIDR: prefix length 33 is over 32",
        "monitored_networks[1]: 'nonsense' is not a CIDR (address/prefix length)",
        "monitored_networks[2]: '10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?",
        "monitored_networks[3]: '2001:db8::1/32' has host bits set; did you mean 2001:db8::/32?",
      ],
    );
  });

  test('unknown architecture', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.architecture = 'XL';
      }),
      ["architecture: unknown value 'XL' (expected one of SM, CM, S1, C1)"],
    );
  });

  test('a known architecture that is not supported yet', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.architecture = 'CM';
      }),
      ["architecture: 'CM' is a known architecture but not supported yet (Pharos deploys SM only)"],
    );
  });

  test('unknown fields, at every level', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.vip = '172.16.161.250';
        d.postgres.listen = '*';
        d.backends[0].port = 5433;
      }),
      [
        "postgres.listen: unknown field 'listen'",
        "backends[0].port: unknown field 'port'",
        "vip: unknown field 'vip'",
      ],
    );
  });

  test('PostgreSQL major outside 13-17', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.postgres.version = 12;
      }),
      ['postgres.version: 12 is not a supported PostgreSQL major (13-17)'],
    );
    assert.deepEqual(
      problemsAfter((d) => {
        d.postgres.version = 18;
      }),
      ['postgres.version: 18 is not a supported PostgreSQL major (13-17)'],
    );
  });

  test('wrong types and missing fields', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.postgres.version = '17';
        delete d.cluster;
        d.webapps = null;
        d.crl = 'yes';
      }),
      [
        'cluster: required field is missing',
        "postgres.version: expected a number, got string '17'",
        'webapps: expected a list, got null',
        "crl: expected true or false, got string 'yes'",
      ],
    );
  });

  test('an infrastructure security choice that does not exist', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.infrastructure_security = 'open';
      }),
      ["infrastructure_security: 'open' is not one of 'secured', 'reference-open'"],
    );
  });

  test('an agent certificate model that does not exist', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.agent_certificates = 'none';
      }),
      ["agent_certificates: 'none' is not one of 'per-agent', 'common-user', 'built-in-ca'"],
    );
  });

  test('role names that are not plain PostgreSQL identifiers', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.pem = { superuser: 'Pem Super' };
      }),
      [
        "pem.superuser: 'Pem Super' is not a plain PostgreSQL role name (lower-case letters, digits and '_', not starting with a digit, at most 63 characters)",
      ],
    );
  });

  test('Patroni timings that break ttl >= loop_wait + 2 × retry_timeout', () => {
    assert.deepEqual(
      problemsAfter((d) => {
        d.patroni = { retry_timeout: 15 };
      }),
      [
        'patroni.ttl: 30 is less than loop_wait + 2 × retry_timeout (10 + 2 × 15 = 40); Patroni needs ttl >= loop_wait + 2 × retry_timeout',
      ],
    );
  });

  test('the InputError lists every problem, exit code 2', () => {
    const d = seed();
    d.backends = d.backends.slice(0, 1);
    d.postgres.version = 12;
    assert.throws(
      () => validateTopology(d, 'topo.yml'),
      (err: unknown) => {
        assert.ok(err instanceof InputError);
        assert.equal(err.exitCode, 2);
        assert.equal(
          err.message,
          [
            'topo.yml: invalid topology (2 problems):',
            '  - postgres.version: 12 is not a supported PostgreSQL major (13-17)',
            '  - backends: 1 backend; at least 2 are needed (a primary and a standby)',
          ].join('\n'),
        );
        return true;
      },
    );
  });
});

describe('paths (security review M6)', () => {
  const hostile: [string, RegExp][] = [
    ['/', /is '\/', the root directory itself/],
    ['', /is empty/],
    ['/var/lib/pgsql/17/my data', /shell metacharacters are refused/],
    ['/var/lib/pgsql/17/data; touch /var/tmp/pwned', /shell metacharacters are refused/],
    ['x; touch y', /shell metacharacters are refused/],
    ['/var/lib/$(id)', /shell metacharacters are refused/],
    ["/var/lib/'q'", /shell metacharacters are refused/],
    ['/var/lib/pg\ndata', /shell metacharacters are refused/],
    ['../..', /is not normalised: it has a '.' or '..' segment/],
    ['/var/lib/../../', /is not normalised: it has a '.' or '..' segment/],
    ['/var/lib/./data', /is not normalised/],
    ['/var//lib', /is not normalised: write it without '\/\/'/],
    ['/var/lib/pgsql/', /is not normalised: write it without '\/\/' or a trailing '\/'/],
    ['relative/data', /is relative; a deployment needs an absolute path/],
    [`/${'a'.repeat(1100)}`, /is longer than 1024 characters/],
  ];
  for (const field of ['data_dir', 'bin_dir']) {
    for (const [value, message] of hostile) {
      test(`postgres.${field} ${JSON.stringify(value.slice(0, 40))} is refused, naming the field`, () => {
        const problems = problemsAfter((d) => {
          d.postgres[field] = value;
        });
        assert.equal(problems.length, 1, problems.join('\n'));
        assert.ok(problems[0]!.startsWith(`postgres.${field}: `), problems[0]);
        assert.match(problems[0]!, message);
      });
    }
  }

  test('a relative data_dir is accepted in the lab only; a relative bin_dir nowhere', () => {
    const d = seed();
    d.postgres.data_dir = 'data';
    assert.deepEqual(topologyProblems(d, 'lab'), []);
    assert.deepEqual(topologyProblems(d), [
      "postgres.data_dir: 'data' is relative; a deployment needs an absolute path (relative paths are only for the lab)",
    ]);
    d.postgres.bin_dir = 'bin';
    assert.match(topologyProblems(d, 'lab').join('\n'), /postgres\.bin_dir: 'bin' is relative/);
  });

  test('a control character is shown escaped in the message', () => {
    const problems = problemsAfter((d) => {
      d.postgres.data_dir = '/a\nb';
    });
    assert.ok(problems[0]!.startsWith('postgres.data_dir: "/a\\nb" holds a character'), problems[0]);
  });

  test('ordinary install paths pass', () => {
    for (const p of ['/var/lib/pgsql/17/data', '/usr/lib/postgresql/15/bin', '/srv/pg_data-1.0+x']) {
      assert.deepEqual(
        problemsAfter((d) => {
          d.postgres.data_dir = p;
        }),
        [],
      );
    }
  });
});

describe('loadTopology', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-topo-'));
  test.after(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file is an InputError naming it', () => {
    const path = join(dir, 'missing.yml');
    assert.throws(() => loadTopology(path), {
      name: 'InputError',
      message: new RegExp(`^${path}: cannot read the topology file: ENOENT`),
    });
  });

  test('YAML errors and duplicate keys are InputErrors', () => {
    const path = join(dir, 'dup.yml');
    writeFileSync(path, 'cluster: a\ncluster: b\n');
    assert.throws(() => loadTopology(path), { name: 'InputError', message: /not valid YAML: .*unique/i });
    writeFileSync(path, 'cluster: [a\n');
    assert.throws(() => loadTopology(path), { name: 'InputError', message: /not valid YAML/ });
  });

  test('a YAML alias bomb is an InputError naming the file, not a ReferenceError', () => {
    const path = join(dir, 'bomb.yml');
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 9; i++) {
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    }
    writeFileSync(path, `${lines.join('\n')}\n`);
    assert.throws(() => loadTopology(path), {
      name: 'InputError',
      message: new RegExp(`^${path}: not usable YAML: aliases expand too much`),
    });
  });

  test('a device (/dev/zero) and a directory are refused without reading them', () => {
    assert.throws(() => loadTopology('/dev/zero'), {
      name: 'InputError',
      message: '/dev/zero: cannot read the topology file: not a regular file (a device, FIFO or socket)',
    });
    assert.throws(() => loadTopology(dir), {
      name: 'InputError',
      message: `${dir}: cannot read the topology file: not a regular file (a directory)`,
    });
  });

  test('a file over 1 MiB is refused', () => {
    const path = join(dir, 'big.yml');
    writeFileSync(path, `# ${'k'.repeat(MAX_TOPOLOGY_BYTES)}\n`);
    assert.throws(() => loadTopology(path), {
      name: 'InputError',
      message: new RegExp(
        `^${path}: cannot read the topology file: it is \\d+ bytes; at most 1048576 \\(1 MiB\\) are read$`,
      ),
    });
  });
});
