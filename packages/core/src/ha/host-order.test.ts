import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TargetSessionAttrs } from '../conninfo/types.js';
import {
  dialAllAtOnce,
  factsFromStartup,
  type HostAnswer,
  matches,
  orderedVerdict,
  type TargetFacts,
} from './host-order.js';

/*
 * The first selection's ordering rules (host-order.ts) over the answers a
 * target check gives (session.ts checkTarget: pg_is_in_recovery() and
 * transaction_read_only). connection.int.test.ts runs the same rules against
 * real servers and psql.
 */

const PRIMARY: TargetFacts = { inRecovery: false, readOnly: false };
const STANDBY: TargetFacts = { inRecovery: true, readOnly: true };
/** A primary whose default_transaction_read_only is on. */
const READ_ONLY_PRIMARY: TargetFacts = { inRecovery: false, readOnly: true };
const REFUSED: HostAnswer = { err: new Error('connect ECONNREFUSED'), fatal: false };
const AUTH_FAILED: HostAnswer = { err: new Error('password authentication failed'), fatal: true };

/** `answers[i]`: host i's answer, or undefined while it is silent. */
function verdict(
  tsa: TargetSessionAttrs,
  answers: (TargetFacts | HostAnswer | undefined)[],
  hedged: boolean,
) {
  const m = new Map<number, HostAnswer>();
  answers.forEach((a, i) => {
    if (a === undefined) return;
    m.set(i, 'err' in a || 'ok' in a ? (a as HostAnswer) : { ok: a as TargetFacts });
  });
  return orderedVerdict(
    tsa,
    answers.map((_, i) => i),
    m,
    hedged,
  );
}

describe('target_session_attrs: which sessions match (libpq 14+)', () => {
  it('read-write and read-only follow transaction_read_only; primary and standby follow recovery', () => {
    const table: [TargetSessionAttrs, TargetFacts, boolean][] = [
      ['any', STANDBY, true],
      ['read-write', PRIMARY, true],
      ['read-write', STANDBY, false],
      ['read-write', READ_ONLY_PRIMARY, false],
      ['read-only', STANDBY, true],
      ['read-only', READ_ONLY_PRIMARY, true],
      ['read-only', PRIMARY, false],
      ['primary', READ_ONLY_PRIMARY, true],
      ['primary', STANDBY, false],
      ['standby', STANDBY, true],
      ['standby', PRIMARY, false],
      ['prefer-standby', STANDBY, true],
      ['prefer-standby', PRIMARY, false],
    ];
    for (const [tsa, facts, want] of table) {
      assert.equal(matches(tsa, facts, false), want, `${tsa} on ${JSON.stringify(facts)}`);
    }
    assert.equal(matches('prefer-standby', PRIMARY, true), true, 'the second pass takes any session');
    assert.equal(matches('read-write', STANDBY, true), false, 'only prefer-standby has a second pass');
  });
});

describe('first selection: list order, with silent hosts passed over after the hedge', () => {
  it('takes the first matching host in list order, even when a later one answered first', () => {
    assert.deepEqual(verdict('any', [STANDBY, PRIMARY], false), { win: 0 });
    assert.deepEqual(verdict('any', [undefined, PRIMARY], false), { wait: true });
    assert.deepEqual(verdict('read-write', [STANDBY, PRIMARY], false), { win: 1 });
    assert.deepEqual(verdict('read-write', [REFUSED, STANDBY, PRIMARY], false), { win: 2 });
  });

  it('before the hedge, waits for a silent earlier host; after it, passes over it', () => {
    assert.deepEqual(verdict('read-write', [undefined, PRIMARY], false), { wait: true });
    assert.deepEqual(verdict('read-write', [undefined, PRIMARY], true), { win: 1 });
    assert.deepEqual(verdict('any', [undefined, STANDBY, PRIMARY], true), { win: 1 });
    assert.deepEqual(verdict('standby', [undefined, PRIMARY, STANDBY], true), { win: 2 });
  });

  it('a silent host that answers and matches after the hedge still wins if nothing later matched', () => {
    assert.deepEqual(verdict('read-write', [undefined, STANDBY], true), { wait: true });
    assert.deepEqual(verdict('read-write', [PRIMARY, STANDBY], true), { win: 0 });
  });

  it('an earlier matching host wins over a later one whatever the hedge', () => {
    assert.deepEqual(verdict('any', [PRIMARY, undefined, PRIMARY], true), { win: 0 });
    assert.deepEqual(verdict('read-write', [PRIMARY, PRIMARY], false), { win: 0 });
  });

  it('a fatal error ends the walk there, unless an earlier host was passed over while silent', () => {
    assert.deepEqual(verdict('read-write', [AUTH_FAILED, PRIMARY], false), { fatal: 0 });
    assert.deepEqual(verdict('read-write', [REFUSED, AUTH_FAILED, PRIMARY], false), { fatal: 1 });
    // libpq reaches the fatal host only after the silent one fails: wait for it
    assert.deepEqual(verdict('read-write', [undefined, AUTH_FAILED, PRIMARY], true), { wait: true });
    assert.deepEqual(verdict('read-write', [REFUSED, AUTH_FAILED, PRIMARY], true), { fatal: 1 });
    assert.deepEqual(verdict('read-write', [PRIMARY, AUTH_FAILED], false), { win: 0 });
  });

  it('nothing matches: waits while any host is silent, then none', () => {
    assert.deepEqual(verdict('read-write', [STANDBY, undefined], true), { wait: true });
    assert.deepEqual(verdict('read-write', [STANDBY, REFUSED], true), { none: true });
    assert.deepEqual(verdict('standby', [PRIMARY, PRIMARY], false), { none: true });
  });

  it('prefer-standby: the first standby, passing over silent hosts; any host only once all answered', () => {
    assert.deepEqual(verdict('prefer-standby', [PRIMARY, STANDBY], false), { win: 1 });
    assert.deepEqual(verdict('prefer-standby', [undefined, PRIMARY, STANDBY], true), { win: 2 });
    // no standby answered yet: a silent host may still be one, so the second pass waits
    assert.deepEqual(verdict('prefer-standby', [undefined, PRIMARY], true), { wait: true });
    assert.deepEqual(verdict('prefer-standby', [PRIMARY, undefined], true), { wait: true });
    // the second pass: the first host in list order that gave a session
    assert.deepEqual(verdict('prefer-standby', [REFUSED, PRIMARY, PRIMARY], false), { win: 1 });
    assert.deepEqual(verdict('prefer-standby', [REFUSED, REFUSED], false), { none: true });
  });
});

describe('later selections: dialling every host at once (dialAllAtOnce)', () => {
  it('after a drop only for read-write and primary, which one host matches', () => {
    assert.equal(dialAllAtOnce('read-write', false, true), true);
    assert.equal(dialAllAtOnce('primary', false, true), true);
    for (const tsa of ['any', 'read-only', 'standby', 'prefer-standby'] as const)
      assert.equal(dialAllAtOnce(tsa, false, true), false, tsa);
  });
  it('always when sessions of an earlier selection are re-checked; never otherwise', () => {
    for (const tsa of ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'] as const) {
      assert.equal(dialAllAtOnce(tsa, true, false), true, tsa);
      assert.equal(dialAllAtOnce(tsa, false, false), false, tsa);
    }
  });
});

describe('target facts from the startup report (libpq fe-connect.c CONNECTION_CHECK_TARGET)', () => {
  const standby = { inHotStandby: true, defaultReadOnly: false };
  const primary = { inHotStandby: false, defaultReadOnly: false };
  const readOnlyPrimary = { inHotStandby: false, defaultReadOnly: true };

  it('read-write/read-only: read-only when either report is on, decided only when both were reported', () => {
    for (const tsa of ['read-write', 'read-only'] as const) {
      assert.deepEqual(factsFromStartup(tsa, standby), STANDBY);
      assert.deepEqual(factsFromStartup(tsa, primary), PRIMARY);
      assert.deepEqual(factsFromStartup(tsa, readOnlyPrimary), READ_ONLY_PRIMARY);
      assert.equal(factsFromStartup(tsa, { inHotStandby: false }), undefined);
      assert.equal(factsFromStartup(tsa, { defaultReadOnly: false }), undefined);
      assert.equal(factsFromStartup(tsa, {}), undefined);
    }
    assert.equal(matches('read-write', factsFromStartup('read-write', readOnlyPrimary)!, false), false);
    assert.equal(matches('read-only', factsFromStartup('read-only', standby)!, false), true);
  });

  it('primary/standby/prefer-standby: in_hot_standby alone decides', () => {
    for (const tsa of ['primary', 'standby', 'prefer-standby'] as const) {
      assert.equal(factsFromStartup(tsa, { inHotStandby: true })?.inRecovery, true);
      assert.equal(factsFromStartup(tsa, readOnlyPrimary)?.inRecovery, false);
      assert.equal(factsFromStartup(tsa, { defaultReadOnly: false }), undefined);
      assert.equal(factsFromStartup(tsa, {}), undefined);
    }
    assert.equal(matches('primary', factsFromStartup('primary', readOnlyPrimary)!, false), true);
  });

  it('any needs no facts', () => {
    assert.equal(factsFromStartup('any', primary), undefined);
  });
});
