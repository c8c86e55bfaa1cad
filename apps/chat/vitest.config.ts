import { lmkitProject } from '../../vitest.shared.ts';

export default lmkitProject({ name: 'chat', testTimeoutMs: 60_000 });
