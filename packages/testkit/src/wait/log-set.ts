/**
 * The log files of the processes a test started, so that a failed wait can
 * show what those processes said ({@link waitFor} dumps their tails).
 *
 * A test registers files (or a function listing them, e.g. the lab's process
 * table, or a directory whose `*.log` files count) with {@link watchLogs};
 * servers started by the kit (startPostgres, startStandby) register their own
 * log and unregister it when stopped. Each test file runs in its own process
 * (`node --test`), so the default set holds what this file's tests started.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A log source: a file path, a directory (its `*.log` files), or a function listing paths. */
export type LogSource = string | (() => readonly string[]);

/** Last `lines` lines of a text file ('' when it cannot be read). */
export function tailOf(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** A set of log sources; {@link LogSet.dump} renders their tails. */
export class LogSet {
  private readonly sources = new Set<LogSource>();

  /** Adds sources; returns a function that removes them again. */
  watch(...sources: LogSource[]): () => void {
    for (const s of sources) this.sources.add(s);
    return () => {
      for (const s of sources) this.sources.delete(s);
    };
  }

  /** The files the sources name now (directories expanded to their `*.log` files, in name order). */
  files(): string[] {
    const out = new Set<string>();
    for (const s of this.sources) {
      let listed: readonly string[];
      try {
        listed = typeof s === 'function' ? s() : [s];
      } catch {
        continue; // a listing that fails (the lab state is gone) names nothing
      }
      for (const p of listed) {
        let dir = false;
        try {
          dir = statSync(p).isDirectory();
        } catch {
          /* not there (yet): listed as a file, its tail is empty */
        }
        if (!dir) out.add(p);
        else for (const n of readdirSync(p).sort()) if (n.endsWith('.log')) out.add(join(p, n));
      }
    }
    return [...out];
  }

  /**
   * The last `lines` lines of every file, each under a `--- <path> ---`
   * heading; files that are empty or unreadable are named with `(empty)`.
   * '' when no source is registered.
   */
  dump(lines = 20): string {
    return this.files()
      .map((f) => {
        const tail = tailOf(f, lines);
        return `--- ${f} ---\n${tail || '(empty)'}`;
      })
      .join('\n');
  }
}

/** The set every kit server registers into and {@link waitFor} dumps by default. */
export const testLogs = new LogSet();

/** Registers log sources into {@link testLogs}; returns the function that removes them. */
export function watchLogs(...sources: LogSource[]): () => void {
  return testLogs.watch(...sources);
}
