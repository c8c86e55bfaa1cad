import { lmkitProject } from '../vitest.shared.ts';

export default lmkitProject({ name: 'e2e', include: ['**/*.test.ts'], testTimeoutMs: 120_000 });
