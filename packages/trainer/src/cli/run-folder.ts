// Default run folders: runs/<name>-<UTC time>/ under the current directory.
import * as path from 'node:path';

export function defaultRunDir(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return path.resolve('runs', `${name}-${stamp}`);
}
