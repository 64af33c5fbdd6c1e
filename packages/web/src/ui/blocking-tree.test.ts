/**
 * Unit test of who-blocks-whom on the sessions page
 * (packages/web/ui/pages/sessions/blocking-tree.js, a plain ES module):
 * a chain, a session blocked by two, a blocker outside the set, a cycle.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

// biome-ignore lint/suspicious/noExplicitAny: a plain JavaScript module (type-checked with JSDoc by tsc -p packages/web/ui)
const bt: any = await import(new URL('../../ui/pages/sessions/blocking-tree.js', import.meta.url).href);
// biome-ignore lint/suspicious/noExplicitAny: as above
const route: any = await import(new URL('../../ui/lib/route.js', import.meta.url).href);

interface Node {
  session: { pid: number };
  blocks: Node[];
}
/** The forest as nested [pid, children] for comparison. */
const shape = (forest: Node[]): unknown[] => forest.map((n) => [n.session.pid, shape(n.blocks)]);

describe('UI: the blocking tree of the sessions page', () => {
  it('roots are the blockers that wait for no one; a chain nests; unrelated sessions are left out', () => {
    const sessions = [
      { pid: 10, blockedBy: [] },
      { pid: 11, blockedBy: [10] },
      { pid: 12, blockedBy: [11] },
      { pid: 13, blockedBy: [10] },
      { pid: 99, blockedBy: [] },
    ];
    assert.deepEqual(shape(bt.blockingTree(sessions)), [
      [
        10,
        [
          [11, [[12, []]]],
          [13, []],
        ],
      ],
    ]);
  });

  it('a session blocked by two appears under each; a blocker not in the set makes its victim a root only if it blocks', () => {
    const sessions = [
      { pid: 1, blockedBy: [] },
      { pid: 2, blockedBy: [] },
      { pid: 3, blockedBy: [1, 2] },
      { pid: 4, blockedBy: [500] },
    ];
    assert.deepEqual(shape(bt.blockingTree(sessions)), [
      [1, [[3, []]]],
      [2, [[3, []]]],
    ]);
  });

  it('a deadlock not yet broken is shown once, from its lowest pid, without looping', () => {
    const sessions = [
      { pid: 21, blockedBy: [20] },
      { pid: 20, blockedBy: [21] },
    ];
    assert.deepEqual(shape(bt.blockingTree(sessions)), [[20, [[21, []]]]]);
  });

  it('routes #/server/<id>/sessions to the sessions page', () => {
    assert.deepEqual(route.parseRoute('#/server/7/sessions'), { page: 'sessions', id: 7 });
    assert.equal(route.href.sessions(7), '#/server/7/sessions');
    assert.equal(route.parseRoute('#/server/7/sessions/x').page, 'not-found');
  });
});
