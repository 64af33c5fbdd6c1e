/**
 * Flag parsing of `pharos configure`: the reference document's own command
 * lines (seed-ha-pem-patroni-sm.txt, addresses 172.16.161.X mapped to
 * 127.0.8.X), every flag of docs/reference/pem-facts.md §1 in short and long form, and the
 * errors, each naming the flag.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '@pharos/core/errors';
import { CommanderError } from 'commander';
import { CONFIGURE_SHORT_FLAGS, expandConfigureFlags } from './flags.js';
import { parseConfigureArgs } from './options.js';

/** Splits a shell command line into words (single quotes, backslash-newline continuations). */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|(\S+)/g;
  for (const m of line.replace(/\\\n/g, ' ').matchAll(re)) out.push(m[1] ?? m[2]!);
  return out;
}

/** The reference's lines after `/usr/edb/pem/bin/configure-pem-server.sh`, addresses mapped. */
const REF = {
  primarySslutils: `-t 3 \\
    -ho '127.0.0.1,127.0.8.201,127.0.8.202' \\
    -p 5432 \\
    -su pemsuper \\
    --asb-host-name '127.0.0.1' \\
    --replication-solution patroni \\
    --replication-role primary \\
    --skip-db-certificate \\
    --use-existing-sslutils \\
    --db-install-path '/usr/pgsql-17/' \\
    --db-unitfile patroni`,
  primaryCommon: `-t 3 -ho '127.0.0.1,127.0.8.201,127.0.8.202' -p 5432 -su pemsuper --asb-host-name '127.0.0.1' --replication-solution patroni --replication-role primary --db-unitfile patroni --db-install-path '/usr/pgsql-17/' --skip-db-certificate --use-agent-user 'common_agent_user' --use-agent-sslcert '/path/to/agent/cert' --use-agent-sslkey '/path/to/agent/key'`,
  primaryPerAgent: `-t 3 -ho '127.0.0.1,127.0.8.201,127.0.8.202' -p 5432 -su pemsuper --asb-host-name '127.0.0.1' --replication-solution patroni --replication-role primary --db-unitfile patroni --db-install-path '/usr/pgsql-17/' --skip-db-certificate --use-agent-sslcert '/path/to/agent/cert' --use-agent-sslkey '/path/to/agent/key' -aro agent_id=1`,
  standby: `-t 3 -ho '127.0.8.200,127.0.0.1,127.0.8.202' -p 5432 -su pemsuper --asb-host-name '127.0.0.1' --replication-solution patroni --replication-role standby --db-unitfile patroni --db-install-path '/usr/pgsql-17/'`,
  standbyCommon: `-t 3 -ho '127.0.8.200,127.0.0.1,127.0.8.202' -p 5432 -su pemsuper --asb-host-name '127.0.0.1' --replication-solution patroni --replication-role standby --db-unitfile patroni --db-install-path '/usr/pgsql-17/' --use-agent-user 'common_agent_user' --use-agent-sslcert '/path/to/agent/cert' --use-agent-sslkey '/path/to/agent/key'`,
  standbyPerAgent: `-t 3 -ho '127.0.8.200,127.0.0.1,127.0.8.202' -p 5432 -su pemsuper --asb-host-name '127.0.0.1' --replication-solution patroni --replication-role standby --db-unitfile patroni --db-install-path '/usr/pgsql-17/' --use-agent-sslcert '/path/to/agent/cert' --use-agent-sslkey '/path/to/agent/key' -aro agent_id=2`,
  web: `-t 2 -ho '127.0.8.200,127.0.8.201,127.0.8.202' -p 5432 -su pemsuper --db-install-path '/usr/pgsql-17/'`,
  webCommon: `-t 2 -ho '127.0.8.200,127.0.8.201,127.0.8.202' -p 5432 -su pemsuper --db-install-path '/usr/pgsql-17/' --use-agent-user 'common_agent_user' --use-agent-sslcert '/path/to/agent/cert' --use-agent-sslkey '/path/to/agent/key'`,
  webPerAgent: `-t 2 -ho '127.0.8.200,127.0.8.201,127.0.8.202' -p 5432 -su pemsuper --db-install-path '/usr/pgsql-17/' --use-agent-sslcert '/path/to/agent/cert' --use-agent-sslkey '/path/to/agent/key' -aro agent_id=4`,
};

const ENV = { PHAROS_SUPERPASSWORD: 'secret', PHAROS_HOST_NAME: 'host-x' };
const parse = (line: string, env: NodeJS.ProcessEnv = ENV) => parseConfigureArgs(words(line), env);

describe('configure flags: the reference command lines', () => {
  it('primary with sslutils (built-in CA)', async () => {
    const { options: o } = await parse(REF.primarySslutils);
    assert.equal(o.type, 3);
    assert.deepEqual(o.hosts, ['127.0.0.1', '127.0.8.201', '127.0.8.202']);
    assert.deepEqual(o.ports, [5432, 5432, 5432]);
    assert.equal(o.superuser, 'pemsuper');
    assert.equal(o.superpassword, 'secret');
    assert.equal(o.asbHostName, '127.0.0.1');
    assert.equal(o.replicationSolution, 'patroni');
    assert.equal(o.replicationRole, 'primary');
    assert.equal(o.skipDbCertificate, true);
    assert.equal(o.useExistingSslutils, true);
    assert.equal(o.dbInstallPath, '/usr/pgsql-17/');
    assert.equal(o.dbUnitfile, 'patroni');
    assert.equal(o.agentSslCert, undefined);
    assert.equal(o.asbUser, 'pemsuper');
    assert.equal(o.asbPassword, 'secret');
    assert.equal(o.hostName, 'host-x');
    assert.deepEqual(o.caSigner?.program.slice(-2), ['agent', 'sign-csr']);
  });

  it('primary with a common agent user', async () => {
    const { options: o } = await parse(REF.primaryCommon);
    assert.equal(o.agentUser, 'common_agent_user');
    assert.equal(o.agentSslCert, '/path/to/agent/cert');
    assert.equal(o.agentSslKey, '/path/to/agent/key');
    assert.equal(o.useExistingSslutils, false);
    assert.deepEqual(o.agentOverrides, {});
  });

  it('primary with per-agent certificates: -aro agent_id=1', async () => {
    const { options: o } = await parse(REF.primaryPerAgent);
    assert.deepEqual(o.agentOverrides, { agent_id: '1' });
    assert.equal(o.agentUser, undefined);
  });

  it('standbys (all three models): role standby, 127.0.0.1 in their own position', async () => {
    for (const line of [REF.standby, REF.standbyCommon, REF.standbyPerAgent]) {
      const { options: o } = await parse(line);
      assert.equal(o.replicationRole, 'standby');
      assert.deepEqual(o.hosts, ['127.0.8.200', '127.0.0.1', '127.0.8.202']);
      assert.equal(o.skipDbCertificate, false);
    }
    assert.deepEqual((await parse(REF.standbyPerAgent)).options.agentOverrides, { agent_id: '2' });
    assert.equal((await parse(REF.standbyCommon)).options.agentUser, 'common_agent_user');
  });

  it('web application hosts (all three models): -t 2 with the multi-host string', async () => {
    for (const line of [REF.web, REF.webCommon, REF.webPerAgent]) {
      const { options: o } = await parse(line);
      assert.equal(o.type, 2);
      assert.deepEqual(o.hosts, ['127.0.8.200', '127.0.8.201', '127.0.8.202']);
      assert.equal(o.replicationSolution, undefined);
      assert.equal(o.asbHostName, undefined);
    }
    assert.deepEqual((await parse(REF.webPerAgent)).options.agentOverrides, { agent_id: '4' });
  });

  it('takes the host identity, TLS and binding user from the environment', async () => {
    const { options: o } = await parse(REF.standby, {
      ...ENV,
      PHAROS_HOST_ADDRESS: '127.0.8.201',
      PHAROS_ASB_USER: 'pem_monitor',
      PHAROS_ASB_PASSWORD: 'monitor-secret',
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: '/etc/pharos/ca.crt',
    });
    assert.equal(o.hostAddress, '127.0.8.201');
    assert.equal(o.asbUser, 'pem_monitor');
    assert.equal(o.asbPassword, 'monitor-secret');
    assert.equal(o.sslmode, 'verify-full');
    assert.equal(o.sslrootcert, '/etc/pharos/ca.crt');
  });
});

describe('configure flags: every flag of configure-pem-server.sh', () => {
  const ALL_SHORT = `-t 1 -ho 'h1,h2' -p 5432,5433 -su su -sp pw -ci 10.0.0.0/8 -dbi /usr/pgsql-17 -ds postgresql-17 -kdc -kwc -scs '/C=US/O=Example/CN=pem' -nhc -ues -au common_agent_user -uac /c.crt -uak /c.key -acp /certs -arp display_name=web-x,force_registration=true -aro agent_id=3,log_level=debug,long_wait=40,short_wait=5,connect_timeout=7 -srp display_name=srv-x,maintenance_db=postgres -bhn 127.0.0.1 -ps pemagent --replication-solution patroni --replication-role primary`;

  it('has a short form for every flag of docs/reference/pem-facts.md §1', () => {
    assert.deepEqual(Object.keys(CONFIGURE_SHORT_FLAGS).sort(), [
      '-acp',
      '-aro',
      '-arp',
      '-au',
      '-bhn',
      '-ci',
      '-dbi',
      '-ds',
      '-ho',
      '-kdc',
      '-kwc',
      '-nhc',
      '-p',
      '-ps',
      '-scs',
      '-sp',
      '-srp',
      '-su',
      '-t',
      '-uac',
      '-uak',
      '-ues',
      '-un',
      '-utd',
    ]);
    assert.deepEqual(expandConfigureFlags(['-ho', '-ho', 'x']), ['--host', '--host', 'x']);
  });

  it('parses them all, short and long alike', async () => {
    const short = await parse(ALL_SHORT, { PHAROS_HOST_NAME: 'h' });
    const long = await parse(
      expandConfigureFlags(words(ALL_SHORT))
        .map((w) => (/\s/.test(w) ? `'${w}'` : w))
        .join(' '),
      {
        PHAROS_HOST_NAME: 'h',
      },
    );
    assert.deepEqual(long.options, short.options);
    const o = short.options;
    assert.equal(o.type, 1);
    assert.deepEqual(o.hosts, ['h1', 'h2']);
    assert.deepEqual(o.ports, [5432, 5433]);
    assert.equal(o.superuser, 'su');
    assert.equal(o.superpassword, 'pw');
    assert.equal(o.cidrAddress, '10.0.0.0/8');
    assert.equal(o.dbInstallPath, '/usr/pgsql-17');
    assert.equal(o.dbUnitfile, 'postgresql-17');
    assert.equal(o.skipDbCertificate, true);
    assert.equal(o.skipWebCertificate, true);
    assert.equal(o.serverCertificateSubject, '/C=US/O=Example/CN=pem');
    assert.equal(o.noHbaChange, true);
    assert.equal(o.useExistingSslutils, true);
    assert.equal(o.agentUser, 'common_agent_user');
    assert.equal(o.agentSslCert, '/c.crt');
    assert.equal(o.agentSslKey, '/c.key');
    assert.equal(o.agentCertificatePath, '/certs');
    assert.deepEqual(o.agentRegisterParams, { display_name: 'web-x', force_registration: 'true' });
    assert.deepEqual(o.agentOverrides, {
      agent_id: '3',
      log_level: 'debug',
      long_wait: '40',
      short_wait: '5',
      connect_timeout: '7',
    });
    assert.deepEqual(o.serverRegisterParams, { display_name: 'srv-x', maintenance_db: 'postgres' });
    assert.equal(o.asbHostName, '127.0.0.1');
    assert.equal(o.agentServiceName, 'pemagent');
    assert.equal(o.replicationSolution, 'patroni');
    assert.equal(o.replicationRole, 'primary');
  });

  it('-utd means -kdc and -nhc', async () => {
    const { options: o } = await parse('-t 3 -ho h -su su -utd');
    assert.equal(o.skipDbCertificate, true);
    assert.equal(o.noHbaChange, true);
  });

  it('defaults: port 5432 for every host, CIDR 0.0.0.0/0, the OS host name', async () => {
    const { options: o, flags } = await parse("-t 3 -ho 'a,b,c' -su su", { PHAROS_SUPERPASSWORD: 'x' });
    assert.deepEqual(o.ports, [5432, 5432, 5432]);
    assert.equal(o.cidrAddress, '0.0.0.0/0');
    assert.ok(o.hostName.length > 0);
    assert.equal(o.noHbaChange, false);
    assert.equal(flags.agentConfig, '/etc/pharos/agent.yml');
  });
});

describe('configure flags: errors name the flag', () => {
  const fails = async (line: string, pattern: RegExp) => {
    await assert.rejects(parse(line), (err: unknown) => {
      assert.ok(err instanceof InputError, `expected InputError, got ${err}`);
      assert.match(err.message, pattern);
      return true;
    });
  };

  it('rejects bad values', async () => {
    await fails('-t 4 -ho h -su s', /-t\/--type: '4' must be 1 or 2 or 3/);
    await fails('-ho h -su s', /-t\/--type: the install type is required/);
    await fails('-t 3 -su s', /-ho\/--host: the backend host .* is required/);
    await fails("-t 3 -ho 'a,,b' -su s", /-ho\/--host: 'a,,b' has an empty host/);
    await fails('-t 3 -ho h', /-su\/--superuser: the superuser name is required/);
    await fails('-t 3 -ho h -su s -p abc', /-p\/--port: 'abc' is not a port number/);
    await fails('-t 3 -ho h -su s -p 70000', /-p\/--port: '70000' is not a port number/);
    await fails("-t 3 -ho 'a,b,c' -su s -p 5432,5433", /-p\/--port: 2 ports given for 3 hosts/);
    await fails(
      '-t 3 -ho h -su s --replication-solution pacemaker',
      /--replication-solution: 'pacemaker' must be patroni or efm/,
    );
    await fails(
      '-t 3 -ho h -su s --replication-role leader',
      /--replication-role: 'leader' must be primary or standby/,
    );
    await fails(
      '-t 3 -ho h -su s -aro agent_id=x',
      /-aro\/--agent-register-overrider: agent_id='x' is not a positive integer/,
    );
    await fails('-t 3 -ho h -su s -aro agent_id=0', /agent_id='0' is not a positive integer/);
    await fails(
      '-t 3 -ho h -su s -aro agent_id',
      /-aro\/--agent-register-overrider: 'agent_id' is not key=value/,
    );
    await fails(
      '-t 3 -ho h -su s -aro colour=blue',
      /-aro\/--agent-register-overrider: unknown key 'colour' \(known: agent_id, /,
    );
    await fails('-t 3 -ho h -su s -aro agent_id=1,agent_id=2', /'agent_id' is given twice/);
    await fails('-t 3 -ho h -su s -aro log_level=loud', /log_level='loud' is not one of trace/);
    await fails(
      '-t 3 -ho h -su s -arp force_registration=maybe',
      /-arp\/--agent-register-param: force_registration='maybe' is not true or false/,
    );
    await fails('-t 3 -ho h -su s -srp port=1', /-srp\/--server-register-param: unknown key 'port'/);
    await fails('-t 3 -ho h -su s -un', /-un\/--uninstall-pem-server is not supported/);
  });

  it('rejects unknown flags and missing values (commander)', async () => {
    await assert.rejects(parse('-t 3 -ho h -su s --frobnicate'), (err: unknown) => {
      assert.ok(err instanceof CommanderError);
      assert.match(err.message, /unknown option '--frobnicate'/);
      return true;
    });
    await assert.rejects(parse('-t 3 -ho'), CommanderError);
  });
});
