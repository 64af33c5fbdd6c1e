// The API's error answers (errors.ts) on a bare fastify app: every error is
// {code, error, field?} with the code's status; data exceptions are 400; a bug
// is a 500 without details.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pharosError } from '@pharos/core/errors';
import { DeadlineError, NoHostError } from '@pharos/core/ha/errors';
import Fastify, { type FastifyInstance } from 'fastify';
import { BackendFailingOverError } from '../backend.js';
import { installErrorHandlers } from './errors.js';

describe('API error answers', () => {
  let app: FastifyInstance;
  const logged: unknown[] = [];

  before(async () => {
    app = Fastify({ logger: { level: 'error', stream: { write: (l: string) => logged.push(l) } } });
    installErrorHandlers(app);
    app.get('/input', async () => {
      throw pharosError('PHAROS_WEBHOOK_URL_SCHEME', { name: 'ops' }, { field: 'url' });
    });
    app.get('/missing', async () => {
      throw pharosError('PHAROS_WEBHOOK_NOT_FOUND', { id: 7 });
    });
    app.get('/failover', async () => {
      throw new BackendFailingOverError();
    });
    app.get('/deadline', async () => {
      throw new DeadlineError('PHAROS_CONNECT_STATEMENT_DEADLINE', {
        host: '127.0.0.1',
        port: 5432,
        statement: 'SELECT 1',
      });
    });
    app.get('/no-host', async () => {
      throw new NoHostError('127.0.0.1:5432: does not match target_session_attrs=read-write', true);
    });
    app.get('/terminated', async () => {
      throw Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01',
      });
    });
    app.get('/data', async () => {
      throw Object.assign(new Error('value "2147483648" is out of range for type integer'), {
        code: '22003',
      });
    });
    app.get('/bug', async () => {
      throw new Error('secret detail');
    });
    app.get('/config', async () => {
      throw pharosError('PHAROS_TLS_FILE_UNREADABLE', {
        what: 'root certificate',
        path: '/x',
        key: 'sslrootcert',
        reason: 'ENOENT',
      });
    });
    await app.ready();
  });
  after(() => app.close());

  const get = async (url: string) => {
    const r = await app.inject({ method: 'GET', url });
    return { status: r.statusCode, body: r.json(), retryAfter: r.headers['retry-after'] };
  };

  test('a catalogue error answers its status, code, message and field', async () => {
    assert.deepEqual(await get('/input'), {
      status: 400,
      body: {
        code: 'PHAROS_WEBHOOK_URL_SCHEME',
        error: 'webhook ops: url must be http or https',
        field: 'url',
      },
      retryAfter: undefined,
    });
    assert.deepEqual((await get('/missing')).status, 404);
    assert.equal((await get('/missing')).body.code, 'PHAROS_WEBHOOK_NOT_FOUND');
  });

  test('failing over is 503 with Retry-After', async () => {
    assert.deepEqual(await get('/failover'), {
      status: 503,
      body: { code: 'PHAROS_BACKEND_FAILING_OVER', error: 'backend is failing over' },
      retryAfter: '2',
    });
  });

  test('a failover-class error a route let through unwrapped is 503 too, not a 500', async () => {
    for (const url of ['/deadline', '/no-host', '/terminated']) {
      assert.deepEqual(await get(url), {
        status: 503,
        body: { code: 'PHAROS_BACKEND_FAILING_OVER', error: 'backend is failing over' },
        retryAfter: '2',
      });
    }
  });

  test('a PostgreSQL data exception (SQLSTATE class 22) is a 400', async () => {
    const r = await get('/data');
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'PHAROS_API_DATA_INVALID');
    assert.match(r.body.error, /out of range for type integer/);
  });

  test('anything else is a 500 without details, logged', async () => {
    for (const url of ['/bug', '/config']) {
      const r = await get(url);
      assert.deepEqual(
        [r.status, r.body],
        [500, { code: 'PHAROS_INTERNAL_UNEXPECTED', error: 'internal error' }],
      );
    }
    assert.ok(
      logged.some((l) => String(l).includes('secret detail')),
      'the bug is in the log',
    );
  });
});
