/** Reading a secret from the terminal without echoing it. */
import { createInterface } from 'node:readline';

/**
 * Asks `question` on the terminal and resolves to the answer, not echoed.
 * Resolves undefined when stdin is not a terminal (non-interactive use must
 * give the value by flag or environment variable instead).
 */
export async function promptSecret(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const rlAny = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
  let muted = false;
  rlAny._writeToOutput = (s: string) => {
    if (!muted) rlAny.output.write(s);
  };
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}
