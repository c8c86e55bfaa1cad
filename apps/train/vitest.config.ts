import { lmkitProject } from '../../vitest.shared.ts';

export default lmkitProject({ name: 'app-train', testTimeoutMs: 120_000 });
