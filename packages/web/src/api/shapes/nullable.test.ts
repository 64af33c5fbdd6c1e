// Nullable fields under the API's request validation (fastify's ajv with
// coerceTypes, app.ts AJV_OPTIONS): a null stays null, a value stays itself.
// `anyOf [string, null]` turned a null sslrootcert into '' (the agent then
// refused the test-connection task: "sslrootcert: Too small").
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { EmailGroupBody, SmtpBody } from '@pharos/backend/notify/admin-shapes';
import Fastify, { type FastifyInstance } from 'fastify';
import { type TSchema, Type } from 'typebox';
import { AJV_OPTIONS } from '../../app.js';
import { installErrorHandlers } from '../errors.js';
import { Nullable, Text } from './common.js';
import { ServerConnectionBody } from './fleet-servers.js';

describe('Nullable under the request validator', () => {
  let app: FastifyInstance;
  const echo = (path: string, body: TSchema) =>
    app.withTypeProvider<TypeBoxTypeProvider>().post(path, { schema: { body } }, async (req) => ({
      seen: JSON.stringify(req.body),
    }));
  const send = async (path: string, payload: unknown) => {
    const r = await app.inject({ method: 'POST', url: path, payload: payload as object });
    return { status: r.statusCode, seen: r.statusCode === 200 ? JSON.parse(r.json().seen) : r.json() };
  };

  before(async () => {
    app = Fastify({ ajv: AJV_OPTIONS });
    installErrorHandlers(app);
    echo('/server', ServerConnectionBody);
    echo('/smtp', SmtpBody);
    echo('/group', EmailGroupBody);
    echo('/n', Type.Object({ n: Nullable(Type.Integer({ minimum: 1 })), b: Nullable(Type.Boolean()) }));
    await app.ready();
  });
  after(() => app.close());

  test('a null text stays null (the agent’s default CA file), a text stays a text, "" is refused', async () => {
    const base = { host: 'db1', user: 'monitor', agentId: 1 };
    assert.equal((await send('/server', { ...base, sslrootcert: null })).seen.sslrootcert, null);
    assert.equal((await send('/server', { ...base, sslrootcert: '/ca.pem' })).seen.sslrootcert, '/ca.pem');
    const empty = await send('/server', { ...base, sslrootcert: '' });
    assert.equal(empty.status, 400, 'an empty path is refused, naming the field');
    assert.equal(empty.seen.field, 'sslrootcert');
    const smtp = (await send('/smtp', { userName: null, password: null, tlsCaPem: null })).seen;
    assert.deepEqual([smtp.userName, smtp.password, smtp.tlsCaPem], [null, null, null]);
    const group = (await send('/group', { subjectTemplate: null, bodyTemplate: 'x' })).seen;
    assert.deepEqual([group.subjectTemplate, group.bodyTemplate], [null, 'x']);
  });

  test('a null number or boolean stays null; 0 and false are themselves, checked as before', async () => {
    assert.deepEqual((await send('/n', { n: null, b: null })).seen, { n: null, b: null });
    assert.deepEqual((await send('/n', { n: 3, b: false })).seen, { n: 3, b: false });
    const zero = await send('/n', { n: 0, b: null });
    assert.equal(zero.status, 400, 'minimum still applies');
  });

  test('the schema lists null in its type (OpenAPI 3.1), keeping the other keywords', () => {
    const s = Nullable(Text({ maxLength: 9 })) as unknown as Record<string, unknown>;
    assert.deepEqual(s.type, ['string', 'null']);
    assert.equal(s.maxLength, 9);
    assert.equal(s.pattern, '^[^\\u0000]*$');
    // an enum or object keeps anyOf [T, null] (ajv does not coerce to an enum-only schema)
    const e = Nullable(Type.Enum(['a', 'b'])) as unknown as Record<string, unknown>;
    assert.equal((e.anyOf as unknown[]).length, 2);
  });
});
