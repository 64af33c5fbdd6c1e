/**
 * Unit test of the words the UI shows when a probe has no data for a server
 * (packages/web/ui/lib/no-data.js, a plain ES module): nothing that is normal
 * reads like a fault (review C7) — a primary without standbys, a probe that
 * has not had its first run, a probe of another major or role, a disabled
 * probe — and only what is left points at the probe log.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

// biome-ignore lint/suspicious/noExplicitAny: a plain JavaScript module (type-checked with JSDoc by tsc -p packages/web/ui)
const nd: any = await import(new URL('../../ui/lib/no-data.js', import.meta.url).href);

const settings = [
  { probe: 'replication_lag', intervalS: 10, enabled: true },
  { probe: 'table_stats', intervalS: 300, enabled: true },
  { probe: 'io', intervalS: 60, enabled: true },
  { probe: 'replication_conflicts', intervalS: 60, enabled: true },
  { probe: 'hba_rules', intervalS: 300, enabled: false },
  { probe: 'statements', intervalS: 60, enabled: true },
  { probe: 'wal', intervalS: 10, enabled: true },
];
const primary = { role: 'primary', versionNum: 150008, settings, agentUptimeS: 3600 };

describe('UI: why a probe has no data', () => {
  it('a standalone primary has no replication lag: said as such, not as a fault', () => {
    const w = nd.whyNoData('replication_lag', primary);
    assert.match(w.text, /No standby streams from this server/);
    assert.doesNotMatch(w.text, /does not collect|error|fail/i);
    assert.equal(w.probeLog, false);
  });

  it("a probe of every 5 minutes in the agent's first minutes: not collected yet, when it comes", () => {
    const w = nd.whyNoData('table_stats', { ...primary, agentUptimeS: 40 });
    assert.equal(
      w.text,
      "Not collected yet: the table_stats probe runs every 5 min; its first values arrive within 5 min of the agent's start (40 s ago).",
    );
  });

  it("a 10 s probe of an agent that has run 40 s is no longer 'not collected yet': empty by design", () => {
    const w = nd.whyNoData('replication_lag', { ...primary, agentUptimeS: 40 });
    assert.match(w.text, /No standby streams from this server/);
    assert.match(
      nd.whyNoData('replication_lag', { ...primary, agentUptimeS: 25 }).text,
      /^Not collected yet: the replication_lag probe runs every 10 s/,
    );
  });

  it('names the major, the role, a disabled probe and a missing extension', () => {
    assert.match(nd.whyNoData('io', primary).text, /Not available on PostgreSQL 15: .* 16 or later/);
    assert.match(
      nd.whyNoData('replication_conflicts', primary).text,
      /standbys only; this server is a primary/,
    );
    assert.match(nd.whyNoData('hba_rules', primary).text, /disabled for this server/);
    const ext = nd.whyNoData('statements', primary);
    assert.match(ext.text, /shared_preload_libraries.*CREATE EXTENSION pg_stat_statements/);
    assert.equal(ext.probeLog, true);
  });

  it('leaves the probe log for a probe that should have data and has none', () => {
    const w = nd.whyNoData('wal', primary);
    assert.equal(w.text, 'No data from the wal probe for this server.');
    assert.equal(w.probeLog, true);
  });
});
