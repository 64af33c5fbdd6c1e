/**
 * The newest tested major is one fact in three places: the majors the probe
 * matrix runs (binaries.ts), the agent's flag of an untested major
 * (@pharos/agent/probes/sql-for-major) and the web page's badge
 * (packages/web/contract/tested-majors.ts). Adding a major to the matrix
 * without the other two (or the reverse) fails here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NEWEST_TESTED_MAJOR } from '@pharos/agent/probes/sql-for-major';
import { MATRIX_MAJORS } from './binaries.js';

const web: { NEWEST_TESTED_MAJOR: number } = await import(
  new URL('../../../web/ui/contract/tested-majors.js', import.meta.url).href
);

describe('the newest tested PostgreSQL major', () => {
  it('is the matrix’s newest major for the agent and the web page alike', () => {
    assert.equal(Math.max(...MATRIX_MAJORS), NEWEST_TESTED_MAJOR);
    assert.equal(web.NEWEST_TESTED_MAJOR, NEWEST_TESTED_MAJOR);
  });
});
