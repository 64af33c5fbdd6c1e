/* Which errors are failover-class (select a host again), without a server. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectError } from '../errors/index.js';
import { DeadlineError, isFailoverError, NoHostError, SessionDroppedError } from './errors.js';

describe('isFailoverError', () => {
  const yes: unknown[] = [
    { code: '25006' },
    { code: '57P01' },
    { code: '57P02' },
    { code: '57P03' },
    { code: '08006' },
    { code: '08001' },
    { code: 'ECONNRESET' },
    { code: 'EPIPE' },
    { code: 'ECONNREFUSED' },
    { code: 'ETIMEDOUT' },
    new Error('Connection terminated unexpectedly'),
    new Error('Connection terminated'),
    new DeadlineError('PHAROS_CONNECT_SELECT_DEADLINE', { detail: 'x' }),
    new SessionDroppedError(),
    new NoHostError('x', true),
  ];
  const no: unknown[] = [
    { code: '23505' },
    { code: '42P01' },
    { code: '28P01' },
    { code: '57014' },
    new Error('syntax error'),
    new NoHostError('x', false),
    new ConnectError('PHAROS_CONNECT_CLOSED', 'x'),
    null,
    'ECONNRESET',
  ];
  for (const e of yes)
    it(`is true for ${JSON.stringify(e) ?? String(e)} ${(e as Error)?.message ?? ''}`, () =>
      assert.equal(isFailoverError(e), true));
  for (const e of no)
    it(`is false for ${JSON.stringify(e) ?? String(e)} ${(e as Error)?.message ?? ''}`, () =>
      assert.equal(isFailoverError(e), false));
});
