import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoHostError } from '@pharos/core/ha/errors';
import { isAuthFailure, sqlStateOf } from './authenticate.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('login failure classification', () => {
  it('finds the SQLSTATE in causes and aggregates, preferring an authentication one', () => {
    assert.equal(sqlStateOf(pgError('28P01')), '28P01');
    assert.equal(sqlStateOf(new Error('outer', { cause: pgError('28000') })), '28000');
    assert.equal(sqlStateOf(new AggregateError([pgError('57P03'), pgError('28P01')])), '28P01');
    assert.equal(sqlStateOf(new AggregateError([pgError('57P03')])), '57P03');
    assert.equal(sqlStateOf(pgError('ECONNREFUSED')), undefined);
    assert.equal(sqlStateOf('text'), undefined);
  });

  it('treats refused credentials as an authentication failure, nothing else', () => {
    assert.equal(isAuthFailure(pgError('28P01')), true);
    assert.equal(
      isAuthFailure(
        new NoHostError('127.0.1.4:5432: password authentication failed for user "mallory"', false),
      ),
      true,
    );
    assert.equal(isAuthFailure(new NoHostError('h:5432: role "x" is not permitted to log in', false)), true);
    assert.equal(
      isAuthFailure(
        new NoHostError(
          'h:5432: no pg_hba.conf entry for host "10.0.0.7", user "x", database "pem", SSL encryption',
          false,
        ),
      ),
      true,
    );
    // an agent's role name: its HBA rule is `cert` (security review L3: this was a 500)
    assert.equal(
      isAuthFailure(new NoHostError('h:5432: connection requires a valid client certificate', false)),
      true,
    );
    assert.equal(isAuthFailure(new NoHostError('h:5432: connect ECONNREFUSED', true)), false);
    assert.equal(isAuthFailure(pgError('3D000', 'database "pem" does not exist')), false);
  });
});
