/**
 * The systemd units of the package (packaging/systemd/): what the issue
 * requires of them, and systemd's own judgement (`systemd-analyze security
 * --offline`, systemd >= 250, which this machine's Debian has).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

const UNITS = new URL('../../../../packaging/systemd/', import.meta.url).pathname;

/** key -> values of a unit file (a key may repeat). */
function unitSettings(name: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of readFileSync(`${UNITS}${name}`, 'utf8').split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith('[')) continue;
    const eq = t.indexOf('=');
    const key = t.slice(0, eq);
    m.set(key, [...(m.get(key) ?? []), t.slice(eq + 1)]);
  }
  return m;
}

for (const unit of ['pharos-agent.service', 'pharos-web.service']) {
  describe(unit, () => {
    const s = unitSettings(unit);
    const one = (k: string) => s.get(k)?.at(-1);

    test('runs as pharos, Type=notify, restarts on failure, reloads with SIGHUP', () => {
      assert.equal(one('User'), 'pharos');
      assert.equal(one('Group'), 'pharos');
      assert.equal(one('Type'), 'notify');
      assert.equal(one('NotifyAccess'), 'all');
      assert.equal(one('Restart'), 'on-failure');
      assert.equal(one('ExecReload'), '/bin/kill -HUP $MAINPID');
      assert.match(
        one('ExecStart') ?? '',
        /^\/usr\/lib\/pharos\/node\/bin\/node .*pharos\.js (agent|web) run --config \/etc\/pharos\/(agent|web)\.yml$/,
      );
    });

    test('hardened: no capabilities, read-only system, private /tmp, no new privileges', () => {
      assert.equal(one('NoNewPrivileges'), 'yes');
      assert.equal(one('ProtectSystem'), 'strict');
      assert.ok(['yes', 'read-only'].includes(one('ProtectHome') ?? ''));
      assert.equal(one('PrivateTmp'), 'yes');
      assert.equal(one('CapabilityBoundingSet'), '');
      assert.equal(one('AmbientCapabilities'), '');
      if (unit === 'pharos-agent.service') {
        assert.deepEqual(s.get('ReadWritePaths'), ['/var/lib/pharos']);
        assert.equal(one('StateDirectory'), 'pharos');
      } else {
        assert.equal(s.get('ReadWritePaths'), undefined, 'the web instance writes nothing');
      }
    });

    test('systemd-analyze security --offline rates it OK (exposure at most 2.0)', () => {
      const out = execFileSync('systemd-analyze', ['security', '--offline=true', `${UNITS}${unit}`], {
        encoding: 'utf8',
      });
      const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(out)?.[1]);
      assert.ok(score <= 2, `${unit}: ${score}`);
    });
  });
}
