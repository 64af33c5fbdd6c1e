/**
 * Takes passwords out of SQL texts before they leave the agent.
 *
 * `pg_stat_statements` normalises constants of planned statements only: a
 * utility statement keeps its text as typed (pgstatstatements.html, "the
 * query text ... of utility commands"; `track_utility` is on by default), so
 * `CREATE ROLE pem_monitor LOGIN PASSWORD 'secret'`, typed while preparing a
 * monitored server, reached the Top SQL page of every pem_user, and
 * `pg_stat_activity.query` shows it to a pg_read_all_stats role while it
 * runs (monitoring-stats.html §28.2.3). Found in the lab's own history.
 *
 * {@link redactSecrets} replaces, case-insensitively:
 * - the literal after `PASSWORD` (CREATE/ALTER ROLE|USER ... [ENCRYPTED]
 *   PASSWORD '...', and `OPTIONS (password '...')` of a user mapping), also
 *   an E'...' literal, and a literal cut short by the probe's length limit;
 * - the value of `password=` in a connection string inside a literal
 *   (dblink, CREATE SUBSCRIPTION ... CONNECTION '...'), quoted or not
 *   (libpq-connect.html §34.1.1: single quotes, backslash escapes);
 * by `'***'` / `***`. Anything else is left as it is: a parameter
 * placeholder (`PASSWORD $1`) and the word password in other text are no
 * secret. What it cannot see (a secret in a custom function's argument) is
 * said in docs/probes.md.
 */

/** The literal after PASSWORD: '...' with '' inside, E'...' with \' too; an unterminated one runs to the end. */
const PASSWORD_LITERAL = /(\bpassword\s+)(?:E'(?:[^'\\]|''|\\.)*(?:'|$)|'(?:[^']|'')*(?:'|$))/gi;
/** password=value in a conninfo: quoted ('...' with \' escapes) or up to a space or quote. */
const CONNINFO_PASSWORD =
  /(\bpassword\s*=\s*)(?:'(?:[^'\\]|\\.)*(?:'|$)|\\'(?:[^'\\]|\\.)*(?:\\'|$)|[^\s']+)/gi;

/** The text with every password literal replaced (see the module note); the text itself when it names none. */
export function redactSecrets(text: string): string {
  if (!/password/i.test(text)) return text;
  return text.replace(PASSWORD_LITERAL, "$1'***'").replace(CONNINFO_PASSWORD, '$1***');
}
