// Root test runner: every workspace package, app and the cross-package e2e suite is a project.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tests'],
  },
});
