/**
 * The password file (§34.16 "The Password File"; libpq `passwordFromFile`,
 * `pwdfMatchesString`): where it is by default, and the password it holds for
 * a connection. The only file I/O of conninfo/: parsing and resolving a
 * connection string are pure functions of their inputs.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SOCKET_DIR } from './types.js';

/** `$HOME/.pgpass` (`env.HOME`, else the OS user's home directory): libpq's default `passfile`. */
export function defaultPassfile(env: Record<string, string | undefined>): string {
  return join(env.HOME || homedir(), '.pgpass');
}

/** libpq `pwdfMatchesString`: matches one .pgpass field (with `*` and `\` escapes); returns the rest or null. */
function pgpassField(line: string, pos: number, token: string): number | null {
  if (line[pos] === '*' && line[pos + 1] === ':') return pos + 2;
  let t = pos;
  let k = 0;
  let bslash = false;
  while (t < line.length) {
    if (line[t] === '\\' && !bslash) {
      t++;
      bslash = true;
    }
    if (line[t] === ':' && k === token.length && !bslash) return t + 1;
    bslash = false;
    if (k === token.length) return null;
    if (line[t] === token[k]) {
      t++;
      k++;
    } else {
      return null;
    }
  }
  return null;
}

/**
 * Looks a password up in a libpq password file (§34.16 "The Password File"):
 * lines `hostname:port:database:username:password`, `*` matches anything in the
 * first four fields, `\` escapes `:` and `\`, lines starting with `#` are
 * comments, the first matching line wins. A host that is empty or the default
 * socket directory matches `localhost` (libpq `passwordFromFile`).
 *
 * A file that is missing yields undefined. A file that is not a plain file, or
 * is readable or writable by group or others (any of mode 077), is ignored with
 * a warning through `warn`, as libpq does.
 *
 * @param lookup host (name, or hostaddr when no name), port, dbname and user of the connection.
 * @param warn receives the warning text; default: nothing.
 */
export function passwordFromPassfile(
  passfile: string,
  lookup: { host: string; port: number | string; dbname: string; user: string },
  warn: (message: string) => void = () => {},
): string | undefined {
  let host = lookup.host;
  if (host === '' || host === DEFAULT_SOCKET_DIR) host = 'localhost';
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(passfile);
  } catch {
    return undefined;
  }
  if (!st.isFile()) {
    warn(`password file "${passfile}" is not a plain file`);
    return undefined;
  }
  if ((Number(st.mode) & 0o077) !== 0) {
    warn(`password file "${passfile}" has group or world access; permissions should be u=rw (0600) or less`);
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(passfile, 'utf8');
  } catch {
    return undefined;
  }
  const port = String(lookup.port);
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    if (line.startsWith('#') || line === '') continue;
    let pos: number | null = 0;
    for (const token of [host, port, lookup.dbname, lookup.user]) {
      pos = pgpassField(line, pos, token);
      if (pos === null) break;
    }
    if (pos === null) continue;
    let pw = '';
    for (let i = pos; i < line.length && line[i] !== ':'; i++) {
      if (line[i] === '\\' && i + 1 < line.length) i++;
      pw += line[i];
    }
    return pw;
  }
  return undefined;
}
