import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkInputs, localHostIndex } from './configure.js';
import type { ConfigureOptions } from './options.js';

const base: ConfigureOptions = {
  type: 3,
  hosts: ['127.0.0.1', '10.0.0.2'],
  ports: [5432, 5432],
  superuser: 'pemsuper',
  superpassword: 'x',
  replicationSolution: 'patroni',
  replicationRole: 'primary',
  skipDbCertificate: true,
  noHbaChange: false,
  useExistingSslutils: true,
  agentOverrides: {},
  agentRegisterParams: {},
  serverRegisterParams: {},
  cidrAddress: '0.0.0.0/0',
  skipWebCertificate: false,
  hostName: 'h',
  asbUser: 'pemsuper',
  asbPassword: 'x',
};

describe('configure: inputs checked before anything is written', () => {
  it('accepts the built-in CA case (no files)', () => {
    assert.equal(checkInputs(base), undefined);
  });

  it('names the problem', () => {
    const fails = (o: Partial<ConfigureOptions>, re: RegExp) =>
      assert.throws(() => checkInputs({ ...base, ...o }), re);
    fails({ superpassword: '' }, /the superuser password is missing: set PHAROS_SUPERPASSWORD/);
    fails({ replicationSolution: 'efm' }, /--replication-solution 'efm': only 'patroni' is supported/);
    fails({ replicationRole: undefined }, /--replication-role primary\|standby is required/);
    fails({ replicationSolution: undefined }, /--replication-role needs --replication-solution patroni/);
    fails({ type: 2, replicationRole: 'standby' }, /--replication-role standby is for -t 3/);
    fails({ agentSslCert: '/x.crt' }, /--use-agent-sslcert and --use-agent-sslkey go together/);
    fails(
      { agentUser: 'common_agent_user' },
      /--use-agent-user common_agent_user needs the certificate and key/,
    );
    fails(
      { useExistingSslutils: false },
      /no agent certificate: --skip-db-certificate without --use-existing-sslutils/,
    );
  });

  it('finds the local host in the list', () => {
    assert.equal(localHostIndex({ hosts: ['10.0.0.1', '127.0.0.1'] }), 1);
    assert.equal(localHostIndex({ hosts: ['10.0.0.1', '10.0.0.2'], hostAddress: '10.0.0.2' }), 1);
    assert.equal(localHostIndex({ hosts: ['10.0.0.1'] }), -1);
  });
});
