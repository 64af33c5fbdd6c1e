/**
 * The lists the fleet API and the UI both enumerate are the same
 * (contract/fleet.ts against @pharos/backend): sslmodes, the causes of a
 * failed connection test, and the form field each cause points at.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONNECTION_CAUSES, fieldOfCause } from '@pharos/backend/fleet/connection-test';
import { SSLMODES } from '@pharos/backend/fleet/servers';
import * as C from '../../ui/contract/fleet.js';

describe('the fleet contract', () => {
  it('lists the backend’s sslmodes and test causes', () => {
    assert.deepEqual([...C.SSLMODES], [...SSLMODES]);
    assert.deepEqual([...C.CONNECTION_CAUSES], [...CONNECTION_CAUSES]);
    for (const m of SSLMODES) assert.ok(C.SSLMODE_TEXT[m], m);
  });
  it('points each cause at the field the API names', () => {
    for (const c of CONNECTION_CAUSES) assert.equal(C.CAUSE_TEXT[c].field, fieldOfCause(c) ?? null, c);
  });
});
