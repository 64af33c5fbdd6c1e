/**
 * The record of one command the lab typed as the DBA (fleet/dba.ts runs
 * them; state.ts keeps them in the lab's state file so `lab status` can
 * show what was typed and how long each took). Its own module so the
 * state does not depend on the code that runs the commands.
 */

/** One command as the DBA typed it, where, and how long it took. */
export interface DbaCommand {
  /** Where it was typed (a host's name, e.g. `admin` or `db-host-1`). */
  where: string;
  /** The command line as shown (`pharos ...`; tokens go in the environment, not here). */
  argv: string[];
  /** Its duration, milliseconds. */
  ms: number;
}
