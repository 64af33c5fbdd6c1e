import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareRuleLists } from './rule-list-compare.js';

describe('compareRuleLists', () => {
  const plan = ['a', 'b', 'c', 'd'];
  it('finds equal lists equal', () => {
    assert.deepEqual(compareRuleLists(plan, [...plan]), {
      equal: true,
      planned: 4,
      actual: 4,
      differences: [],
    });
  });
  it('names one changed rule once, with its position', () => {
    const c = compareRuleLists(plan, ['a', 'b', 'X', 'd']);
    assert.equal(c.equal, false);
    assert.deepEqual(c.differences, ["rule 3 is 'X', planned 'c'"]);
  });
  it('says when the same rules come in another order', () => {
    const c = compareRuleLists(plan, ['a', 'c', 'b', 'd']);
    assert.deepEqual(c.differences, [
      "rule 2 is 'c', planned 'b'",
      'rules are in another order (the first match decides)',
    ]);
  });
  it('reports missing and extra rules', () => {
    assert.deepEqual(compareRuleLists(plan, ['a', 'b', 'c']).differences, [
      "rule 4 'd' and later are missing",
    ]);
    assert.deepEqual(compareRuleLists(plan, [...plan, 'e']).differences, [
      "rule 5 'e' and later are not planned",
    ]);
    assert.deepEqual(compareRuleLists(plan, ['a', 'Y', 'Z']).differences, [
      "rule 2 is 'Y', planned 'b'",
      "missing: 'c', 'd'",
      "not planned: 'Z'",
    ]);
  });
});
