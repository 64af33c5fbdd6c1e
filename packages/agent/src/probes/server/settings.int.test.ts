/**
 * The `settings` probe redacts secrets in string settings on the monitored
 * server itself (security review L7), on a real PostgreSQL: passwords in
 * connection strings (quoted and not), URL passwords and secret-named
 * assignments are replaced; everything else, other settings included, is
 * returned as PostgreSQL reports it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { REDACTED, settingsProbe } from './settings.js';

describe('settings probe: secrets never leave the server', () => {
  let pg: TestPostgres;
  before(async () => {
    pg = await startPostgres({ address: '127.0.19.10' });
    await pg.psql(
      [
        `ALTER SYSTEM SET primary_conninfo = 'host=db1 user=rep password=s3cr3t-1 sslmode=verify-full'`,
        `ALTER SYSTEM SET archive_cleanup_command = 'PGPASSWORD="s3cr3t-2" archiver --url https://bob:s3cr3t-3@store.invalid/wal --AWS_SECRET_ACCESS_KEY=s3cr3t-4 %p'`,
        `ALTER SYSTEM SET restore_command = 'fetch password = ''s3cr3t 5'' token=s3cr3t-6 %f %p'`,
        `ALTER SYSTEM SET log_line_prefix = 'keeps-its-value %m '`,
        'SELECT pg_reload_conf()',
      ].join(';\n'),
    );
  });
  after(async () => {
    await pg?.stop();
  });

  it('replaces every secret and nothing else', async () => {
    const out = await pg.psql(`COPY (${settingsProbe.sql![13]}) TO STDOUT WITH (FORMAT csv)`);
    const rows = new Map(
      out.split('\n').map((line) => {
        const name = line.slice(0, line.indexOf(','));
        return [name, line] as const;
      }),
    );
    assert.doesNotMatch(out, /s3cr3t/, 'no secret in any setting');
    assert.match(
      rows.get('primary_conninfo')!,
      new RegExp(`host=db1 user=rep password=${REDACTED.replace(/\*/g, '\\*')} sslmode=verify-full`),
    );
    assert.match(rows.get('archive_cleanup_command')!, /https:\/\/bob:\*{8}@store\.invalid\/wal/);
    assert.match(rows.get('archive_cleanup_command')!, /PGPASSWORD=\*{8} archiver/);
    assert.match(rows.get('archive_cleanup_command')!, /--AWS_SECRET_ACCESS_KEY=\*{8} %p/);
    assert.match(rows.get('restore_command')!, /fetch password = \*{8} token=\*{8} %f %p/);
    assert.match(rows.get('log_line_prefix')!, /keeps-its-value/);
    assert.match(rows.get('max_connections')!, /^max_connections,\d+,/);
  });
});
