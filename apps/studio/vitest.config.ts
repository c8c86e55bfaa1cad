import { lmkitProject } from '../../vitest.shared.ts';

export default lmkitProject({ name: 'studio', testTimeoutMs: 300_000 });
