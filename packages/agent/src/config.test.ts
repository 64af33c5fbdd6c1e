import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '@pharos/core/errors';
import {
  backendConninfo,
  DEFAULT_SPOOL_MAX_BYTES,
  DEFAULT_SPOOL_RETAIN_ACKED_S,
  loadAgentConfig,
  parseAgentConfig,
} from './config.js';

const BACKEND =
  'host=127.0.1.1,127.0.1.2,127.0.1.3 port=5432 dbname=pem user=agent1 sslmode=require connect_timeout=5 target_session_attrs=read-write';
const base = { agent_id: 1, agent_user: 'agent1', backend: BACKEND, spool_dir: '/tmp/spool' };

let dir: string | undefined;
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('agent configuration', () => {
  it('applies defaults', () => {
    const c = parseAgentConfig(base);
    assert.equal(c.spool_max_bytes, DEFAULT_SPOOL_MAX_BYTES);
    assert.equal(c.spool_retain_acked_s, 300);
    assert.equal(DEFAULT_SPOOL_RETAIN_ACKED_S, 300);
    assert.equal(parseAgentConfig({ ...base, spool_retain_acked_s: 0 }).spool_retain_acked_s, 0);
    assert.equal(c.probe_interval_s, 10);
    assert.equal(c.short_wait_s, 10);
    assert.equal(c.long_wait_s, 30);
    assert.equal(c.log_level, 'info');
    assert.equal(c.source_address, undefined);
  });

  it('names every bad field', () => {
    assert.throws(
      () =>
        parseAgentConfig({
          ...base,
          agent_id: 0,
          spool_max_bytes: 10,
          spool_retain_acked_s: -1,
          source_address: 'nowhere',
          colour: 'red',
        }),
      (e: Error) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.code, 'PHAROS_SETTINGS_INVALID');
        assert.match(e.message, /^agent configuration: invalid agent configuration \(5 problems\):\n/);
        assert.match(e.message, /\n {2}- agent_id: 0 is too small/);
        assert.match(e.message, /- spool_max_bytes: 10 is too small \(must be at least 65536\)/);
        assert.match(e.message, /- spool_retain_acked_s: -1 is too small \(must be at least 0\)/);
        assert.match(e.message, /- source_address: 'nowhere' is not an IPv4 or IPv6 address/);
        assert.match(e.message, /- colour: unknown field 'colour'/);
        return true;
      },
    );
    assert.throws(() => parseAgentConfig({ agent_id: 1 }), /agent_user: .*\n.*backend: .*\n.*spool_dir: /s);
  });

  it('admits metrics_listen on loopback only (default off)', () => {
    assert.equal(parseAgentConfig(base).metrics_listen, undefined);
    assert.equal(
      parseAgentConfig({ ...base, metrics_listen: '127.0.1.4:9187' }).metrics_listen,
      '127.0.1.4:9187',
    );
    assert.equal(parseAgentConfig({ ...base, metrics_listen: '[::1]:9187' }).metrics_listen, '[::1]:9187');
    for (const [value, problem] of [
      ['0.0.0.0:9187', /metrics_listen: .*0\.0\.0\.0 is not a loopback address/],
      ['10.0.0.5:9187', /metrics_listen: .*10\.0\.0\.5 is not a loopback address/],
      ['127.0.0.1', /metrics_listen: .*is not address:port/],
      ['127.0.0.1:70000', /metrics_listen: .*port 70000/],
    ] as const) {
      assert.throws(
        () => parseAgentConfig({ ...base, metrics_listen: value }),
        (err: unknown) => err instanceof ConfigError && problem.test(err.message),
        value,
      );
    }
  });

  it('checks the backend connection string', () => {
    assert.throws(() => parseAgentConfig({ ...base, backend: 'host=a bogus=1' }), /backend: .*bogus/);
    assert.throws(
      () => parseAgentConfig({ ...base, backend: BACKEND.replace('read-write', 'any') }),
      /backend: target_session_attrs must be read-write/,
    );
    assert.throws(
      () => parseAgentConfig({ ...base, backend: BACKEND.replace('user=agent1', 'user=agent2') }),
      /backend: user agent2 .* differs from agent_user agent1/,
    );
  });

  it('defaults the backend user to agent_user and adds source_address', () => {
    const c = parseAgentConfig({
      ...base,
      backend: 'host=127.0.1.1 dbname=pem target_session_attrs=read-write',
      source_address: '127.0.1.9',
    });
    const s = backendConninfo(c);
    assert.match(s, /\buser=agent1\b/);
    assert.match(s, /\bsource_address=127\.0\.1\.9\b/);
  });

  it('loads YAML and JSON files and names the file in errors', async () => {
    const d = await mkdtemp(join(tmpdir(), 'pharos-agent-config-'));
    dir = d;
    const yml = join(d, 'agent.yml');
    await writeFile(
      yml,
      `agent_id: 3\nagent_user: agent1\nbackend: >-\n  ${BACKEND}\nspool_dir: ${d}/spool\nprobe_interval_s: 5\n`,
    );
    const c = loadAgentConfig(yml);
    assert.equal(c.agent_id, 3);
    assert.equal(c.probe_interval_s, 5);
    assert.equal(c.backend, BACKEND);
    const json = join(d, 'agent.json');
    await writeFile(json, JSON.stringify({ ...base, log_level: 'debug' }));
    assert.equal(loadAgentConfig(json).log_level, 'debug');
    await writeFile(yml, 'agent_id: [1\n');
    assert.throws(() => loadAgentConfig(yml), {
      code: 'PHAROS_SETTINGS_NOT_YAML',
      message: new RegExp(`^${yml}: not valid YAML`),
    });
    assert.throws(() => loadAgentConfig(join(d, 'missing.yml')), {
      code: 'PHAROS_SETTINGS_UNREADABLE',
      message: /missing\.yml: cannot read the agent configuration file/,
    });
    await writeFile(yml, 'agent_id: "one"\n');
    assert.throws(() => loadAgentConfig(yml), {
      code: 'PHAROS_SETTINGS_INVALID',
      message: new RegExp(`^${yml}: invalid agent configuration \\(4 problems\\):\\n  - agent_id: `),
    });
  });
});
