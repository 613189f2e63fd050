#!/usr/bin/env node
// The `boxteacher` command. It is a committed file rather than dist/cli.js so that npm links it into node_modules/.bin
// at install time, before the first build has made dist/.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('boxteacher: @boxteacher/trainer is not built yet: run `npm run build` (or `npm start`) in the repository first\n');
  process.exit(1);
}
await import(cli.href);
