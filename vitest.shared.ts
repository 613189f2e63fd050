// Shared per-package vitest options: sources of sibling packages resolve through the
// "@boxteacher/source" export condition, so tests never wait for a build.
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

export function packageVitestConfig(name: string, extra: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: ['@boxteacher/source'] },
    ssr: { resolve: { conditions: ['@boxteacher/source'] } },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      pool: 'forks',
      testTimeout: 30_000,
      ...extra,
    },
  });
}
