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

/**
 * What a list command prints for `items`: one JSON document (the array)
 * with `json`; else `none` when there are none; else the lines
 * `lines(items)` makes (one an item, or a table: {@link columns}).
 */
export function printList<T>(
  items: T[],
  json: boolean | undefined,
  none: string,
  lines: (items: T[]) => string[],
): void {
  if (json) printJson(items);
  else if (items.length === 0) print(none);
  else for (const l of lines(items)) print(l);
}

/**
 * `rows` (the first one the headings) as lines of columns two spaces apart,
 * each as wide as its widest cell, without trailing spaces.
 */
export function columns(rows: string[][]): string[] {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(w[i]!))
      .join('  ')
      .trimEnd(),
  );
}
