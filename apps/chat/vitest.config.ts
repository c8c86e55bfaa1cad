import { mergeConfig } from 'vitest/config';
import { lmkitProject } from '../../vitest.shared.ts';

// eventsource-parser (under the AI SDK) exports its TypeScript sources under the `source`
// condition our projects resolve with: let vite transform it instead of Node loading `.ts`.
export default mergeConfig(lmkitProject({ name: 'chat', testTimeoutMs: 60_000 }), {
  test: { server: { deps: { inline: ['eventsource-parser', /@ai-sdk\//, /[\\/]ai[\\/]/] } } },
});
