/**
 * `statement_texts` probe: the normalised text of the statements the
 * `statements` probe keeps (the top 100 by total execution time), under the
 * same object (`database/role/queryid[/nested]`), for the Top SQL page
 * (issue 17). Its history keeps a sample only when the text changes
 * (`history: 'changes'`), so each query id's text is stored once.
 *
 * Source: pgstatstatements.html: `pg_stat_statements(true)` reads the query
 * texts (from the extension's external file: more costly than the counters,
 * hence a longer interval); `query` is visible to `pg_read_all_stats` (in
 * `pg_monitor`), else "<insufficient privilege>". Version differences as in
 * statements.ts: `total_time` before 1.8, `toplevel` from 1.9. Texts are cut
 * at 4096 characters.
 */
import { text } from '../columns.js';
import type { Probe } from '../types.js';

/** Longest text kept, characters. */
export const MAX_STATEMENT_TEXT_CHARS = 4096;

const sql = (execTime: string, toplevel: string) => `
SELECT coalesce(d.datname, s.dbid::text) || '/' || coalesce(r.rolname, s.userid::text) || '/'
         || coalesce(s.queryid::text, 'hidden') || CASE WHEN ${toplevel} IS FALSE THEN '/nested' ELSE '' END
         AS statement_key,
       s.queryid::text AS queryid, left(s.query, ${MAX_STATEMENT_TEXT_CHARS}) AS query
  FROM {{schema}}.pg_stat_statements(true) s
  LEFT JOIN pg_database d ON d.oid = s.dbid
  LEFT JOIN pg_roles r ON r.oid = s.userid
 ORDER BY ${execTime} DESC NULLS LAST, s.queryid
 LIMIT 100`;

/** The `statement_texts` probe (object = `database/role/queryid[/nested]`, as `statements`). */
export const statementTextsProbe: Probe = {
  name: 'statement_texts',
  level: 'server',
  runsOn: 'both',
  intervalS: 300,
  timeoutMs: 10000,
  history: 'changes',
  retentionDays: 30,
  description:
    'Normalised query text of the top 100 statements (pg_stat_statements, when installed; stored on change)',
  extensionSql: {
    extension: 'pg_stat_statements',
    byVersion: {
      '1.4': sql('s.total_time', 'NULL::boolean'),
      '1.8': sql('s.total_exec_time', 'NULL::boolean'),
      '1.9': sql('s.total_exec_time', 's.toplevel'),
    },
  },
  objectColumn: 'statement_key',
  columns: [text('queryid'), text('query')],
};
