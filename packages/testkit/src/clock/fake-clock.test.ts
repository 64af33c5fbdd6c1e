import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from './fake-clock.js';

describe('FakeClock', () => {
  it('moves only when advanced, firing due timers in order, inclusive of the end', async () => {
    const clock = new FakeClock(1000);
    const fired: string[] = [];
    clock.after(30, () => fired.push(`b@${clock.now()}`));
    clock.after(10, () => fired.push(`a@${clock.now()}`));
    const cancel = clock.after(20, () => fired.push('cancelled'));
    clock.after(30, () => fired.push(`c@${clock.now()}`));
    cancel();
    assert.equal(clock.pending, 3);
    assert.equal(clock.nextDueInMs(), 10);
    await clock.advance(29);
    assert.deepEqual(fired, ['a@1010']);
    assert.equal(clock.now(), 1029);
    await clock.advance(1);
    assert.deepEqual(fired, ['a@1010', 'b@1030', 'c@1030'], 'ties fire in the order they were set');
    assert.equal(clock.pending, 0);
    assert.equal(clock.nextDueInMs(), undefined);
  });

  it('fires timers that fired timers set, when they fall due within the span', async () => {
    const clock = new FakeClock();
    const at: number[] = [];
    const loop = async () => {
      for (;;) {
        await clock.wait(25);
        at.push(clock.now());
      }
    };
    void loop();
    await clock.advance(100);
    assert.deepEqual(at, [25, 50, 75, 100]);
  });

  it('refuses to go back', async () => {
    await assert.rejects(new FakeClock().advance(-1), RangeError);
  });
});
