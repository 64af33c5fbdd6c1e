/**
 * What every command prints: one line at a time on stdout, or one JSON
 * document (two-space indented) for scripts. Errors go to stderr through
 * main.ts, never here.
 */

/** Prints `line` and a newline on stdout. */
export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Prints `value` as one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
