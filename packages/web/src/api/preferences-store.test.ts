import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PREFERENCES, withDefaults } from './preferences-store.js';

describe('preferences', () => {
  it('fills in defaults and drops unknown stored keys', () => {
    assert.deepEqual(withDefaults(undefined), DEFAULT_PREFERENCES);
    assert.deepEqual(withDefaults({ theme: 'dark', legacy: 1 }), { ...DEFAULT_PREFERENCES, theme: 'dark' });
    assert.deepEqual(withDefaults({ dashboards: ['tps'], refreshIntervalS: 0 }), {
      ...DEFAULT_PREFERENCES,
      dashboards: ['tps'],
      refreshIntervalS: 0,
    });
  });
});
