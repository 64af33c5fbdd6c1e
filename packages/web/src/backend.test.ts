import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeadlineError, NoHostError } from '@pharos/core/ha/errors';
import { BackendFailingOverError, isBackendUnavailable, withFailoverRetry } from './backend.js';

describe('failover policy of web requests', () => {
  it('counts failover-class errors as unavailability, not refusals', () => {
    assert.equal(
      isBackendUnavailable(new DeadlineError('PHAROS_CONNECT_SELECT_DEADLINE', { detail: 'late' })),
      true,
    );
    assert.equal(isBackendUnavailable(new NoHostError('no primary yet', true)), true);
    assert.equal(isBackendUnavailable(Object.assign(new Error('x'), { code: '57P01' })), true);
    assert.equal(isBackendUnavailable(new NoHostError('password authentication failed', false)), false);
    assert.equal(isBackendUnavailable(Object.assign(new Error('x'), { code: '42P01' })), false);
  });

  it('retries once after a failover-class error and returns the second answer', async () => {
    let calls = 0;
    const r = await withFailoverRetry(
      async () => {
        calls++;
        if (calls === 1) throw Object.assign(new Error('terminating connection'), { code: '57P01' });
        return 'rows';
      },
      { what: 'test', pauseMs: 1 },
    );
    assert.equal(r, 'rows');
    assert.equal(calls, 2);
  });

  it('answers BackendFailingOverError when the retry fails the same way', async () => {
    let calls = 0;
    await assert.rejects(
      withFailoverRetry(
        async () => {
          calls++;
          throw new NoHostError('no primary', true);
        },
        { what: 'test', pauseMs: 1 },
      ),
      (err: unknown) => err instanceof BackendFailingOverError && err.message === 'backend is failing over',
    );
    assert.equal(calls, 2);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    await assert.rejects(
      withFailoverRetry(
        async () => {
          calls++;
          throw Object.assign(new Error('relation does not exist'), { code: '42P01' });
        },
        { what: 'test', pauseMs: 1 },
      ),
      /relation does not exist/,
    );
    assert.equal(calls, 1);
  });
});
