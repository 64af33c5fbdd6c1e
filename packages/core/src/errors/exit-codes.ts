/**
 * The process exit codes of every `pharos` command: the one table
 * (docs/exit-codes.md restates it, and a test keeps the two equal). A
 * command that ends with an error exits with its catalogue entry's `exit`
 * (catalog.ts); commands that report rather than fail (`check`, `lab
 * status`, `agent verify`) map their outcome onto the same table.
 *
 * Source of the `agent verify` meanings: the reference's verify-registration
 * check (docs/reference/pem-facts.md §2: "exit 0 ok, 1 config problem,
 * 2 cannot connect, 3 inactive").
 */

/** Exit code by name. */
export const EXIT = {
  /** Done; nothing failed (`check`: no check failed). */
  OK: 0,
  /** The command could not do its work, or what it checked failed. */
  FAILED: 1,
  /** Invalid input, nothing done; `agent verify`: the backend cannot be reached. */
  INPUT: 2,
  /** `agent verify`: the backend cannot be reached (the reference's code; the same number as INPUT). */
  UNREACHABLE: 2,
  /** `agent verify`: the agent is registered but inactive. */
  INACTIVE: 3,
} as const;

/** One of the exit codes of {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each exit code means, one sentence each (docs/exit-codes.md restates these). */
export const EXIT_MEANINGS: Readonly<Record<ExitCode, string>> = {
  0: 'success: the command did its work; `check`: no check failed (warnings allowed unless --strict); `lab status`: every part is healthy; `agent verify`: the agent is registered and working',
  1: 'failure: the command could not do its work (a configuration that cannot work, the backend in the wrong state or refusing, no connection, a bug); nothing it refused to do was half done; `check`: at least one check failed (or warned, with --strict); `lab status`: a part is not healthy; `agent verify`: a configuration problem, or the agent is not registered',
  2: 'invalid input: a flag, an argument or a file named in the message is wrong; nothing was done; `agent verify`: the backend cannot be reached',
  3: '`agent verify` only: the agent is registered but inactive (marked inactive, or no recent heartbeat)',
};
