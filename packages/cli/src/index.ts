/**
 * @pharos/cli — the `pharos` command: parses flags, calls the stage that
 * does the work, prints (commands/<noun>/<verb>.ts; main.ts). The
 * composition root: it may depend on every product package, and nothing
 * depends on it except the system suites.
 */
export { buildProgram, main } from './main.js';
