/**
 * Errors of the web API restated for the command line: an InputError about an
 * API field (`err.field`, e.g. `maintenanceDb`) is thrown again naming the
 * command's flag for it (`--db`), same code and exit code.
 */
import { InputError, rephrased } from '@pharos/core/errors';

/** Runs `fn`; an InputError about a field of `flagOf` is restated with its flag. */
export async function flagErrors<T>(
  flagOf: Readonly<Record<string, string>>,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InputError && err.field && flagOf[err.field]) {
      const flag = flagOf[err.field]!;
      const message = err.message.startsWith(`${err.field}: `)
        ? `${flag}: ${err.message.slice(err.field.length + 2)}`
        : `${flag}: ${err.message}`;
      throw rephrased(err, message);
    }
    throw err;
  }
}
