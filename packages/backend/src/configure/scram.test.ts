import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { saslPrep, scramMatches, scramVerifier } from './scram.js';

/** Verifiers PostgreSQL 15 stored for these passwords (CREATE ROLE v PASSWORD '...'; pg_authid.rolpassword). */
const FROM_POSTGRES: [string, string][] = [
  [
    'pencil',
    'SCRAM-SHA-256$4096:/53OroRtXFA6RT19U2wcag==$xH8ICakTolpTlEEstn/77x0qKPyE87/7572gzHyGD2Y=:T0XV1DyKqXEdrPYnBf+t6DSFkIThmIFF0q/+L29ZrVs=',
  ],
  [
    'pass:w\\ord',
    'SCRAM-SHA-256$4096:Kx4hQDu0QC/S87nT5y8gAw==$6DSvz2NFV1aD3tSoO3I34GIjden8+PB+gZc9YH6H8PY=:ebksIsxpTWxozFGXq3biyoN7cTi/r5vviXWgF4aHlzI=',
  ],
  [
    'pässwörd',
    'SCRAM-SHA-256$4096:uFT27qWPdOIu00Zky1tdmQ==$fagkDdiNnJe5pv3SpJmYZOT9MLuhE++vhgo05BTvdVo=:RSkyUCYh3kn0C/ApGfdY+NMnTSvTxh6Y66UZ3QPGp48=',
  ],
  [
    'a\u00A0b',
    'SCRAM-SHA-256$4096:GGVvXRrCPdVggpumxrO4Ew==$FBM+3QPElOfGjH0B45nawWm5y0uwGYQaIPNCb7Ukcx8=:tnUBlcGoKDbPXabVxxlguN9CM/uxZM3fh+iJFcTkfGU=',
  ],
];

describe('SCRAM-SHA-256 verifiers', () => {
  it('matches what PostgreSQL stores, and nothing else', () => {
    for (const [password, verifier] of FROM_POSTGRES) {
      assert.equal(scramMatches(verifier, password), true, password);
      assert.equal(scramMatches(verifier, `${password}x`), false, password);
    }
    assert.equal(scramMatches(null, 'x'), false);
    assert.equal(scramMatches('md5abcdef', 'x'), false);
  });

  it('makes verifiers in PostgreSQL format that match their password', () => {
    const salt = Buffer.from('/53OroRtXFA6RT19U2wcag==', 'base64');
    assert.equal(scramVerifier('pencil', 4096, salt), FROM_POSTGRES[0]![1]);
    const v = scramVerifier('s3cret');
    assert.match(v, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
    assert.equal(scramMatches(v, 's3cret'), true);
  });

  it('SASLprep maps non-ASCII spaces and leaves ASCII alone', () => {
    assert.equal(saslPrep('a\u00A0b\u00ADc'), 'a bc');
    assert.equal(saslPrep('plain ascii'), 'plain ascii');
  });
});
