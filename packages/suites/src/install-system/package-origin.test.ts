import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDpkgQuery, parseMadison, releaseOfSuite, releasesOfInstalled } from './package-origin.js';

// Output as printed in a Debian 12 minbase root after scripts/install-system.sh.
const DPKG = [
  'libc6\t2.36-9+deb12u14\tii ',
  'libjson-perl\t4.10000-1\tii ',
  'patroni\t4.0.7-3~deb13u1\tii ',
  'oldconf\t1.0\trc ',
  '',
].join('\n');
const MADISON = `   patroni | 4.0.7-3~deb13u1 | http://deb.debian.org/debian trixie/main amd64 Packages
   patroni |    3.0.2-1 | http://deb.debian.org/debian bookworm/main amd64 Packages
libjson-perl |  4.10000-1 | http://deb.debian.org/debian bookworm/main amd64 Packages
libjson-perl |  4.10000-1 | http://deb.debian.org/debian trixie/main amd64 Packages
     libc6 | 2.41-12+deb13u5 | http://deb.debian.org/debian trixie/main amd64 Packages
     libc6 | 2.36-9+deb12u14 | http://deb.debian.org/debian bookworm/main amd64 Packages
     libc6 | 2.36-9+deb12u7 | http://security.debian.org/debian-security bookworm-security/main amd64 Packages
N: Unable to locate package nosuch
`;

describe('package origins', () => {
  it('reads installed packages only (status ii)', () => {
    assert.deepEqual(
      [...parseDpkgQuery(DPKG)],
      [
        ['libc6', '2.36-9+deb12u14'],
        ['libjson-perl', '4.10000-1'],
        ['patroni', '4.0.7-3~deb13u1'],
      ],
    );
  });

  it('reads madison lines with their suite', () => {
    const rows = parseMadison(MADISON);
    assert.equal(rows.length, 7);
    assert.deepEqual(rows[6], { name: 'libc6', version: '2.36-9+deb12u7', suite: 'bookworm-security' });
  });

  it('maps suites to releases', () => {
    assert.equal(releaseOfSuite('bookworm-security'), 12);
    assert.equal(releaseOfSuite('trixie-updates'), 13);
    assert.equal(releaseOfSuite('sid'), undefined);
  });

  it('gives each installed version the releases that carry it (both for a shared version)', () => {
    const r = releasesOfInstalled(parseDpkgQuery(DPKG), parseMadison(MADISON));
    assert.deepEqual(
      [...r].map(([n, s]) => [n, [...s].sort()]),
      [
        ['libc6', [12]],
        ['libjson-perl', [12, 13]],
        ['patroni', [13]],
      ],
    );
  });
});
