import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AGENT_OVERRIDE_KEYS,
  isTrue,
  parseKeyValues,
  parseOverrides,
  parsePorts,
  requestedAgentId,
} from './options.js';

describe('configure option parsers', () => {
  it('parsePorts: one for all, or one per host', () => {
    assert.deepEqual(parsePorts('5432', 3), [5432, 5432, 5432]);
    assert.deepEqual(parsePorts('5432, 5433', 2), [5432, 5433]);
    assert.throws(() => parsePorts('5432,5433', 3), /2 ports given for 3 hosts/);
    assert.throws(() => parsePorts('0', 1), /'0' is not a port number/);
    assert.throws(() => parsePorts('', 1), /'' is not a port number/);
  });

  it('parseKeyValues / parseOverrides', () => {
    assert.deepEqual(parseOverrides(undefined), {});
    assert.deepEqual(parseOverrides(' agent_id = 7 , log_level=warn'), { agent_id: '7', log_level: 'warn' });
    assert.equal(requestedAgentId({ agentOverrides: parseOverrides('agent_id=7') }), 7);
    assert.equal(requestedAgentId({ agentOverrides: {} }), undefined);
    assert.throws(() => parseOverrides('=1'), /'=1' is not key=value/);
    assert.throws(() => parseOverrides('spool_max_bytes=100'), /spool_max_bytes='100' is not at least 65536/);
    assert.throws(
      () => parseKeyValues('-x', 'a=1', { b: () => undefined }),
      /-x: unknown key 'a' \(known: b\)/,
    );
    assert.ok(Object.keys(AGENT_OVERRIDE_KEYS).includes('agent_id'));
  });

  it('isTrue', () => {
    for (const v of ['true', 'YES', 'on', '1']) assert.equal(isTrue(v), true, v);
    for (const v of ['false', 'no', '0', undefined]) assert.equal(isTrue(v), false, String(v));
  });
});
