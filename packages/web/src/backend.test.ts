import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeadlineError, NoHostError, StatementTimeoutError } from '@pharos/core/ha/errors';
import {
  BackendFailingOverError,
  BackendTimeoutError,
  isBackendUnavailable,
  withFailoverRetry,
  withoutRetry,
} from './backend.js';

/** What HaConnection (serverDeadline) throws when the server cancelled a statement at its deadline. */
const cancelled = () =>
  new StatementTimeoutError(
    {
      host: '127.0.0.1',
      port: 5432,
      how: "cancelled by the server's statement_timeout after 3600 ms",
      statement: 'UPDATE pem.user_preference',
    },
    3600,
    { cause: Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }) },
  );

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

  it('a statement cancelled at its deadline is a timeout (504), not a failover, and is not retried', async () => {
    assert.equal(isBackendUnavailable(cancelled()), false);
    let calls = 0;
    const err = await withFailoverRetry(
      async () => {
        calls++;
        throw cancelled();
      },
      { what: 'test', pauseMs: 1 },
    ).then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.equal(calls, 1);
    assert.ok(err instanceof BackendTimeoutError);
    assert.equal(err.code, 'PHAROS_BACKEND_TIMEOUT');
    assert.equal(err.statusCode, 504);
    assert.match(
      err.message,
      /^the backend is reachable but too slow: a statement was cancelled after 3\.6 s /,
    );
    assert.match(err.message, /changed nothing and will not be applied later/);
    await assert.rejects(
      withoutRetry(async () => {
        throw cancelled();
      }),
      BackendTimeoutError,
    );
    await assert.rejects(
      withoutRetry(async () => {
        throw new DeadlineError('PHAROS_CONNECT_STATEMENT_DEADLINE', {
          host: 'h',
          port: 5432,
          statement: 'x',
        });
      }),
      BackendFailingOverError,
    );
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
