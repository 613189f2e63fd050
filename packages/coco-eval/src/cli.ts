#!/usr/bin/env node
// Entry point of the `coco-eval` bin (built as dist/cli.js): see cli-main.ts.

import { runCli } from './cli-main';

runCli(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`coco-eval: unexpected error: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
