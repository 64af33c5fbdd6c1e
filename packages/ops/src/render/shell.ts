/**
 * Shell quoting for every command the plan prints (configure.sh,
 * firewall.sh, etcd-auth.sh, RUNBOOK.md): POSIX sh single quotes, which
 * keep every character literal (security review M6).
 */

/**
 * Quotes a shell word in single quotes unless it is plain (letters, digits,
 * `_`, `=`, `-`); an inner `'` becomes `'\''`. The result is one word with
 * exactly `word`'s characters whatever they are (spaces, `;`, `$`, newlines).
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_=-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
