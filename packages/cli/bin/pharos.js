#!/usr/bin/env node
// The `pharos` command: see packages/cli/src/main.ts.
import { main } from '../dist/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`pharos: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
