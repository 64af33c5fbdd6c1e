/* The statement_timeout a statement runs under with serverDeadline on, without a server. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_MARGIN_MS,
  MIN_MARGIN_MS,
  marginFor,
  statementTimeoutFor,
  timeoutInForceFits,
} from './server-deadline.js';

describe('server deadline', () => {
  it('keeps a tenth of the remainder, from 50 to 500 ms, for the cancel to come back', () => {
    assert.equal(marginFor(4000), 400);
    assert.equal(marginFor(300), MIN_MARGIN_MS);
    assert.equal(marginFor(60_000), MAX_MARGIN_MS);
  });

  it('sets the remainder less the margin, and nothing once the deadline has in effect passed', () => {
    assert.equal(statementTimeoutFor(4000), 3600);
    assert.equal(statementTimeoutFor(700), 630);
    assert.equal(statementTimeoutFor(59.5), undefined);
    assert.equal(statementTimeoutFor(0), undefined);
    assert.equal(statementTimeoutFor(-5), undefined);
  });

  it('keeps the value in force while calls with the same deadline follow each other', () => {
    const set = statementTimeoutFor(4000)!;
    for (const remaining of [4000, 3999, 3990, 3900])
      assert.ok(timeoutInForceFits(set, remaining), `${remaining}`);
  });

  it('changes it when it would outlive the deadline, is much shorter, is off or unknown', () => {
    assert.equal(timeoutInForceFits(3600, 3700), false, 'the cancel would come back too late');
    assert.equal(timeoutInForceFits(3600, 15_000), false, 'far shorter than the deadline');
    assert.equal(timeoutInForceFits(0, 4000), false, 'off');
    assert.equal(timeoutInForceFits(undefined, 4000), false, 'unknown');
  });
});
