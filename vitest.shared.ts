// Shared vitest project settings: run workspace packages from their TypeScript sources
// (the `source` export condition), so tests need no build step.
import { defineProject } from 'vitest/config';

const conditions = ['source', 'module', 'node', 'development|production'];

export interface LmkitProjectOptions {
  /** Project name shown by vitest (the package's short name). */
  name: string;
  /** Test timeout in milliseconds; default 20 s (CPU-bound tests on a 2-core machine). */
  testTimeoutMs?: number;
  /** Glob patterns of test files, relative to the package; default `src/**\/*.test.ts`, `test/**\/*.test.ts`. */
  include?: string[];
}

export function lmkitProject(options: LmkitProjectOptions) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      name: options.name,
      include: options.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: options.testTimeoutMs ?? 20_000,
      hookTimeout: options.testTimeoutMs ?? 20_000,
    },
  });
}
