// Root vitest config: each package is a project with its own vitest.config.ts (extends: true).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*'],
  },
});
