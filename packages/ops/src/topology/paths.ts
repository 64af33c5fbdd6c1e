/**
 * Checks of the file-system paths a topology names (`postgres.bin_dir`,
 * `postgres.data_dir`). They end up in patroni.yml, in configure.sh and in
 * the runbook's commands (one of which is `rm -rf <data_dir>`), so a path
 * must be one plain, normalised, absolute directory name: security review
 * M6 (`data_dir: "/"` once printed `rm -rf /`).
 */
import { posix } from 'node:path';

/** Characters a topology path may hold: letters, digits and `/ . _ + -` (nothing a shell interprets). */
const PATH_CHARACTERS = /^[A-Za-z0-9/._+-]+$/;

/** Longest path accepted, characters (PATH_MAX is 4096; no real install path comes near this). */
export const MAX_PATH_LENGTH = 1024;

/** Where a topology is used: a real deployment (`pharos plan`, `check`) or the one-machine lab. */
export type PathContext = 'deployment' | 'lab';

/**
 * The problem of one path value, or null when it is fine. Rules: a string
 * of at most {@link MAX_PATH_LENGTH} characters from {@link PATH_CHARACTERS}
 * (no whitespace, quotes, `$`, `;`, `*`, `~`...), normalised (no `.` or
 * `..` segment, no `//`, no trailing `/`), not `/`; absolute, except that
 * `relativeAllowed` (the lab's data_dir, relative to each host's lab
 * directory) admits a relative one.
 */
export function pathProblem(value: string, relativeAllowed: boolean): string | null {
  if (value === '') return 'is empty; give an absolute directory';
  if (value.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (!PATH_CHARACTERS.test(value)) {
    return "holds a character other than letters, digits and '/', '.', '_', '+', '-' (whitespace and shell metacharacters are refused)";
  }
  const segments = value.split('/');
  if (segments.includes('..') || segments.slice(1).includes('.') || segments[0] === '.') {
    return "is not normalised: it has a '.' or '..' segment";
  }
  if (value !== '/' && (value.endsWith('/') || value.includes('//') || posix.normalize(value) !== value)) {
    return "is not normalised: write it without '//' or a trailing '/'";
  }
  if (value === '/') return "is '/', the root directory itself";
  if (!value.startsWith('/') && !relativeAllowed) {
    return 'is relative; a deployment needs an absolute path (relative paths are only for the lab)';
  }
  return null;
}
