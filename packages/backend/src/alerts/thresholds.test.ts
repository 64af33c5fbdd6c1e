import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stateFor, thresholdsProblem } from './thresholds.js';

describe('thresholds', () => {
  it('accepts ordered thresholds for each operator, equal ones included', () => {
    assert.equal(thresholdsProblem({ operator: '>', low: 1, medium: 2, high: 3 }), undefined);
    assert.equal(thresholdsProblem({ operator: '<', low: 90, medium: 80, high: 70 }), undefined);
    assert.equal(thresholdsProblem({ operator: '>', low: 0, medium: 0, high: 0 }), undefined);
  });

  it('names thresholds out of order, a bad operator and a missing number', () => {
    assert.match(
      thresholdsProblem({ operator: '>', low: 4, medium: 2, high: 8 })!,
      /out of order for operator >: low 4, medium 2, high 8/,
    );
    assert.match(
      thresholdsProblem({ operator: '<', low: 1, medium: 2, high: 3 })!,
      /need low >= medium >= high/,
    );
    assert.match(thresholdsProblem({ operator: '=' as '>', low: 1, medium: 2, high: 3 })!, /neither > nor </);
    assert.match(
      thresholdsProblem({ operator: '>', low: Number.NaN, medium: 2, high: 3 })!,
      /low must be a finite number/,
    );
  });

  it('gives the highest level crossed, strictly, and none for no data', () => {
    const t = { operator: '>' as const, low: 85, medium: 90, high: 95 };
    assert.deepEqual(
      [50, 85, 85.1, 90.5, 96, null].map((v) => stateFor(v, t)),
      ['none', 'none', 'low', 'medium', 'high', 'none'],
    );
    const lt = { operator: '<' as const, low: 90, medium: 80, high: 70 };
    assert.deepEqual(
      [95, 85, 75, 60].map((v) => stateFor(v, lt)),
      ['none', 'low', 'medium', 'high'],
    );
    assert.equal(stateFor(1, { operator: '>', low: 0, medium: 0, high: 1 }), 'medium');
  });
});
