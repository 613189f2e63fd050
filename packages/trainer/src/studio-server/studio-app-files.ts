// Where the studio page's built files are: the `@boxteacher/studio` package's dist/ (index.html, the bundle, the
// tfjs wasm binaries). The trainer does not depend on the studio package (the studio depends on the trainer's
// model code), so it is found at run time, with a clear message where it is not installed or not built.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** This module's own file, in ESM (import.meta.url) and in the CommonJS build (__filename). */
function currentFile(): string {
  if (typeof __filename === 'string' && __filename.length > 0) return __filename;
  return fileURLToPath(import.meta.url);
}

export function studioAppDir(): string {
  let packageJson: string;
  try {
    packageJson = createRequire(currentFile()).resolve('@boxteacher/studio/package.json');
  } catch {
    throw new Error('the studio page is not installed: install @boxteacher/studio beside @boxteacher/trainer (in this repository: npm ci)');
  }
  const dist = path.join(path.dirname(packageJson), 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) throw new Error(`the studio page is not built (${dist}/index.html is missing): run npx nx run @boxteacher/studio:build`);
  return dist;
}
