import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration, parseEvery, parseInstant, weekdaysText } from './schedule-flags.js';
import { startBody } from './windows.js';

const refusal = (fn: () => unknown, code: string, field: string, text: RegExp) =>
  assert.throws(fn, (e: { code?: string; field?: string; message: string; exitCode?: number }) => {
    assert.equal(e.code, code, e.message);
    assert.equal(e.field, field, e.message);
    assert.match(e.message, text);
    return true;
  });

describe('--for', () => {
  it('reads d, h, m and s parts', () => {
    assert.equal(parseDuration('2h'), 7200);
    assert.equal(parseDuration('90m'), 5400);
    assert.equal(parseDuration('1h30m'), 5400);
    assert.equal(parseDuration('1d'), 86400);
    assert.equal(parseDuration('7d'), 604800);
    assert.equal(parseDuration('60s'), 60);
  });
  it('refuses what is not a duration, or out of 1 min .. 7 days, naming the flag', () => {
    for (const v of ['', '2', 'h', '2 hours', '-1h', '30s', '8d', '1h1d', 'soon'])
      refusal(() => parseDuration(v), 'PHAROS_MAINTENANCE_DURATION_INVALID', 'durationS', /^--for: /);
  });
});

describe('--every', () => {
  it('reads weekdays, ranges, groups and a time', () => {
    assert.deepEqual(parseEvery('sun 02:00'), { weekdays: [7], startTime: '02:00' });
    assert.deepEqual(parseEvery('Mon,Thursday 22:30'), { weekdays: [1, 4], startTime: '22:30' });
    assert.deepEqual(parseEvery('mon-fri 1:05'), { weekdays: [1, 2, 3, 4, 5], startTime: '01:05' });
    assert.deepEqual(parseEvery('fri-mon at 23:00'), { weekdays: [1, 5, 6, 7], startTime: '23:00' });
    assert.deepEqual(parseEvery('daily 00:00'), { weekdays: [1, 2, 3, 4, 5, 6, 7], startTime: '00:00' });
    assert.deepEqual(parseEvery('weekend 03:00'), { weekdays: [6, 7], startTime: '03:00' });
  });
  it('refuses anything else, naming the flag', () => {
    for (const v of [
      'sun',
      '02:00',
      'sun 24:00',
      'sun 02:60',
      'su 02:00',
      'sunx 02:00',
      'mon,,tue 01:00',
      'funday 01:00',
    ])
      refusal(() => parseEvery(v), 'PHAROS_MAINTENANCE_EVERY_INVALID', 'weekdays', /^--every: /);
  });
  it('says weekdays in words', () => {
    assert.equal(weekdaysText([1, 4]), 'Mon, Thu');
    assert.equal(weekdaysText([1, 2, 3, 4, 5, 6, 7]), 'daily');
  });
});

describe('--from / --until', () => {
  it('reads ISO 8601 with an offset', () => {
    assert.equal(parseInstant('2026-12-08T22:00+01:00', '--from'), '2026-12-08T21:00:00.000Z');
  });
  it('refuses what is not a time, naming the flag and the API field', () => {
    refusal(
      () => parseInstant('tonight', '--until'),
      'PHAROS_MAINTENANCE_INVALID',
      'endsAt',
      /^--until: 'tonight'/,
    );
    refusal(() => parseInstant('', '--from'), 'PHAROS_MAINTENANCE_INVALID', 'startsAt', /^--from: /);
  });
});

describe('maintenance start flags -> the API body', () => {
  it('now for a duration on a group', () => {
    assert.deepEqual(startBody({ group: 'payments', for: '2h', reason: 'patch night' }), {
      scope: 'group',
      group: 'payments',
      reason: 'patch night',
      durationS: 7200,
    });
  });
  it('a one-off window from/until on the fleet', () => {
    assert.deepEqual(
      startBody({ fleet: true, from: '2026-12-08T22:00Z', until: '2026-12-09T02:00Z', reason: 'r' }),
      {
        scope: 'fleet',
        reason: 'r',
        startsAt: '2026-12-08T22:00:00.000Z',
        endsAt: '2026-12-09T02:00:00.000Z',
      },
    );
  });
  it('a weekly window', () => {
    assert.deepEqual(
      startBody({ server: 'db1', every: 'sun 02:00', for: '3h', tz: 'Europe/Paris', reason: 'r' }),
      {
        scope: 'server',
        reason: 'r',
        schedule: 'weekly',
        weekdays: [7],
        startTime: '02:00',
        durationS: 10800,
        timeZone: 'Europe/Paris',
      },
    );
  });
  it('refuses bad combinations, naming the flags', () => {
    refusal(() => startBody({ for: '2h', reason: 'r' }), 'PHAROS_MAINTENANCE_TARGET', 'scope', /got none/);
    refusal(
      () => startBody({ server: 'a', fleet: true, for: '2h', reason: 'r' }),
      'PHAROS_MAINTENANCE_TARGET',
      'scope',
      /--server and --fleet/,
    );
    refusal(() => startBody({ fleet: true, for: '2h' }), 'PHAROS_CLI_FLAG_REQUIRED', 'reason', /^--reason: /);
    refusal(
      () => startBody({ fleet: true, reason: 'r' }),
      'PHAROS_CLI_FLAG_REQUIRED',
      'durationS',
      /--for or --until/,
    );
    refusal(
      () => startBody({ fleet: true, for: '2h', until: '2026-12-09T02:00Z', reason: 'r' }),
      'PHAROS_MAINTENANCE_INVALID',
      'durationS',
      /--for and --until/,
    );
    refusal(
      () => startBody({ fleet: true, for: '2h', tz: 'UTC', reason: 'r' }),
      'PHAROS_MAINTENANCE_INVALID',
      'timeZone',
      /^--tz: /,
    );
    refusal(
      () => startBody({ fleet: true, every: 'sun 02:00', for: '2h', reason: 'r' }),
      'PHAROS_CLI_FLAG_REQUIRED',
      'timeZone',
      /^--tz: /,
    );
    refusal(
      () => startBody({ fleet: true, every: 'sun 02:00', tz: 'UTC', reason: 'r' }),
      'PHAROS_CLI_FLAG_REQUIRED',
      'durationS',
      /^--for: /,
    );
  });
});
